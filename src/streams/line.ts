import type { LineContext, ProductLine } from '../product-line';
import { streamChainErrors } from './chain/errors';
import { makeStreamsDemo } from './demo/demo';
import type { StreamsDeps } from './deps';
import { streamsErrors } from './errors';
import { ensureStreamsLedgers, mirrorStreams } from './ledger';
import { streamsRoutes } from './routes';
import { streamsScopeDescriptions } from './scopes';
import { flowWatchers } from './subscriptions/flows';
import { usagePaymentWatchers } from './usage/payments';

/** What the streams line's services need, from the core's context. */
export const streamsDeps = ({
  db,
  clock,
  files,
  keys,
  chain,
  allowPrivateNetwork,
}: LineContext): StreamsDeps => ({ db, clock, files, keys, chain, allowPrivateNetwork });

/**
 * The streams line (seed 000): producers publish plans (a stream priced per period, a vesting
 * stream, a number of uses) that consumers pay for with Superfluid token streams.
 */
export const streamsLine: ProductLine = {
  name: 'streams',
  label: 'Streams',
  scopes: streamsScopeDescriptions,
  errors: { ...streamsErrors.definitions, ...streamChainErrors.definitions },
  prepare: ({ db, clock }) => ensureStreamsLedgers(db, clock),
  routes: (context) => streamsRoutes(streamsDeps(context)),
  // What streamed is booked day by day; a minute is soon enough after midnight or a close.
  jobs: (context) => context.jobs.every('streams.mirror', 60_000, () => mirrorStreams(streamsDeps(context))),
  watchers: (context) => [...flowWatchers(context.chain), ...usagePaymentWatchers(context.chain)],
  demo: (context) => makeStreamsDemo(streamsDeps(context)),
};
