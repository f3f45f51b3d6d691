import { lazy } from 'react';
import type { WebLine } from '../types';

const StreamsPages = lazy(() => import('./StreamsPages'));

/** The streams line: its card, and its pages under /streams (a bundle of their own). */
export const streamsLine: WebLine = {
  slug: 'streams',
  name: 'Streams',
  tagline: 'Get paid by the second for what people use.',
  summary:
    'Producers publish plans and consumers subscribe, paying in ERC-20 tokens (such as DAI) that flow from them to the producer every second.',
  people: 'Producers of a service or product, and the consumers who subscribe to their plans.',
  capabilities: [
    'Register as a producer with a name, a site and a description, and see statistics: active plans, consumers, inflow over time.',
    'Publish streaming plans: a token that flows at a rate per hour, day or month, with a total supply, a start date and a monthly limit.',
    'Publish vesting plans, with a cliff date and a start amount, for services that begin later.',
    'Publish N-usage plans, priced per use, with a minimum and a maximum number of uses.',
    'As a consumer: browse producers, pick a plan, and watch the balance move as the stream runs.',
  ],
  routes: [{ path: 'streams/*', element: <StreamsPages /> }],
};
