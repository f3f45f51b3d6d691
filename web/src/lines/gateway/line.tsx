import { lazy } from 'react';
import type { WebLine } from '../types';

const GatewayPages = lazy(() => import('./GatewayPages'));

/** The gateway line: its card, and its pages under /gateway (a bundle of their own). */
export const gatewayLine: WebLine = {
  slug: 'gateway',
  name: 'Gateway',
  tagline: 'Prepaid credits in front of MCP servers.',
  summary:
    'Pay once in USDC, then call MCP servers with signed requests: each call is deducted from your credits and forwarded to its provider, who is settled daily.',
  people: 'People and agents who call MCP servers, and the providers who run them.',
  capabilities: [
    'Connect a wallet and deposit USDC by signing one EIP-3009 authorization; the deposit becomes credits.',
    'Call MCP servers with signed messages: no wallet prompt per call, credits deducted as each call is served.',
    'Check the balance at any time, top up the same way, and withdraw what is left back to USDC.',
    'As a provider: usage is collected every 24 hours and settled by each provider’s share; payouts can then be claimed.',
  ],
  routes: [{ path: 'gateway/*', element: <GatewayPages /> }],
};
