import type { LineContext, ProductLine } from '../product-line';
import { sweepLostLeases } from './calls/leases';
import { Meter } from './calls/meter';
import { DEMO_UPSTREAM_PATH, makeGatewayDemo } from './demo/demo';
import { demoUpstreamApp } from './demo/upstream-server';
import { DEPOSIT_PURPOSE, depositAuthorizations, depositSettlement } from './deposits/service';
import type { GatewayDeps } from './deps';
import { KEY_REGISTRATION_PURPOSE, keyRegistrationSettlement } from './encrypted/accounts';
import { auditEncryptedBalances } from './encrypted/audit';
import { CLAIM_PURPOSE, claimSettlement } from './encrypted/claims';
import {
  FUNDING_PURPOSE,
  fundingSettlement,
  PAYING_PURPOSE,
  payingSettlement,
  proveEncryptedBatches,
} from './encrypted/payouts';
import { closeGatewayProvers } from './encrypted/runtime';
import { proveEncryptedWithdrawals } from './encrypted/withdrawals';
import { gatewayErrors } from './errors';
import { sweepGrantUsage } from './grants/service';
import { ensureGatewayLedger } from './ledger';
import { gatewayNotificationTypes } from './notifications';
import { GrantCache, sweepRequestNonces } from './proxy/auth';
import { mcpEndpoint } from './proxy/endpoint';
import { PriceBooks } from './proxy/price-book';
import { gatewayRoutes } from './routes';
import { gatewayScopeDescriptions } from './scopes';
import { PAYOUT_PURPOSE, payoutSettlement, settleDue } from './settlement/service';
import { WITHDRAWAL_PURPOSE, withdrawalSettlement } from './withdrawals/service';
import { wellKnownX402 } from './x402/routes';

/** The gateway line: prepaid USDC credits in front of MCP servers (seed 001, "BackendShield"). */
export function defineGatewayLine(): ProductLine {
  return {
    name: 'gateway',
    label: 'Gateway',
    scopes: gatewayScopeDescriptions,
    errors: gatewayErrors.definitions,
    notificationTypes: gatewayNotificationTypes,
    // Its ledger and accounts; safe to run in every process, at every start.
    prepare: ({ db, clock }) => ensureGatewayLedger(db, clock),
    routes: (context) => gatewayRoutes(gatewayDeps(context)),
    endpoints: (context) => ({
      '/mcp': mcpEndpoint(gatewayDeps(context)).app,
      // x402's discovery: the gateway's paid resources and their prices.
      '/.well-known/x402': wellKnownX402(gatewayDeps(context)),
      // The demo's MCP server, on a development install only (the embedded chain, or none).
      ...(context.chain && !context.chain.client.dev ? {} : { [DEMO_UPSTREAM_PATH]: demoUpstreamApp().app }),
    }),
    demo: (context) => makeGatewayDemo(gatewayDeps(context)),
    // Calls that ended are committed and leases end, so what they held is free again.
    stop: async (context) => {
      await gatewayDeps(context).meter.close();
      await closeGatewayProvers();
    },
    jobs: (context) => {
      const deps = gatewayDeps(context);
      context.jobs.every('gateway.lost_leases', 60_000, () => sweepLostLeases(deps));
      context.jobs.every('gateway.request_nonces', 10 * 60_000, () =>
        sweepRequestNonces(deps.db, deps.clock.now()),
      );
      context.jobs.every('gateway.grant_usage', 60 * 60_000, () =>
        sweepGrantUsage(deps.db, deps.clock.now()),
      );
      // Settles once an interval boundary has passed; any process may find it due, one run wins.
      context.jobs.every('gateway.settlement', 5 * 60_000, () => settleDue(deps));
      // Proofs take seconds each, and the audit decrypts every account: all three run beside the
      // other work, so deposits, chain transactions and mail do not wait for them.
      // Encrypted payouts: a funded batch is proven and sent as soon as the one before it is paid.
      context.jobs.every('gateway.encrypted_payouts', 15_000, () => proveEncryptedBatches(deps), {
        beside: true,
      });
      // A person's withdrawal out of their encrypted account is proven and queued within seconds.
      context.jobs.every('gateway.encrypted_withdrawals', 10_000, () => proveEncryptedWithdrawals(deps), {
        beside: true,
      });
      context.jobs.every('gateway.encrypted_audit', 24 * 60 * 60_000, () => auditEncryptedBalances(deps), {
        beside: true,
      });
    },
    authorizations: (context) => depositAuthorizations(gatewayDeps(context)),
    settlements: (context) => ({
      [DEPOSIT_PURPOSE]: depositSettlement(gatewayDeps(context), context.chain),
      [WITHDRAWAL_PURPOSE]: withdrawalSettlement(gatewayDeps(context)),
      [PAYOUT_PURPOSE]: payoutSettlement(gatewayDeps(context)),
      [KEY_REGISTRATION_PURPOSE]: keyRegistrationSettlement(gatewayDeps(context)),
      [FUNDING_PURPOSE]: fundingSettlement(gatewayDeps(context)),
      [PAYING_PURPOSE]: payingSettlement(gatewayDeps(context)),
      [CLAIM_PURPOSE]: claimSettlement(gatewayDeps(context)),
    }),
  };
}

type CallPath = Pick<GatewayDeps, 'meter' | 'grants' | 'prices'>;
/** The call path's memory, one per Tally (its database handle), whichever part of the line asks. */
const callPaths = new WeakMap<object, CallPath>();

export function gatewayDeps(context: LineContext): GatewayDeps {
  const { db, clock, log, keys, files, notificationTypes, publicUrl, chain, allowPrivateNetwork } = context;
  let callPath = callPaths.get(db);
  if (!callPath) {
    callPath = {
      meter: new Meter({ db, clock, log }),
      grants: new GrantCache(db),
      prices: new PriceBooks(db),
    };
    callPaths.set(db, callPath);
  }
  return {
    db,
    clock,
    log,
    keys,
    files,
    notificationTypes,
    publicUrl,
    chain,
    allowPrivateNetwork,
    ...callPath,
  };
}

export const gatewayLine: ProductLine = defineGatewayLine();
