import type { ChainLineContext, LineContext, ProductLine } from '../product-line';
import { streamChainErrors } from './chain/errors';
import { makeStreamsDemo } from './demo/demo';
import { demoSubscribersJob } from './demo/subscribers';
import type { StreamsDeps } from './deps';
import { streamsErrors } from './errors';
import { ensureStreamsLedgers, mirrorStreams } from './ledger';
import { streamsRoutes } from './routes';
import { streamsScopeDescriptions } from './scopes';
import type { WatchDeps } from './subscriptions/close-reasons';
import { flowWatchers } from './subscriptions/flows';
import { devLiquidator } from './subscriptions/liquidator';
import { streamsNotificationTypes } from './subscriptions/notifications';
import { CLOSE_FLOW_PURPOSE, closeFlowSettlement } from './subscriptions/operator-close';
import { runOutSettings, scanRunOuts } from './subscriptions/runout';
import { usagePaymentWatchers } from './usage/payments';
import { startDueVestings } from './vesting/cliff';
import { tellProducer } from './webhooks/events';

/** What the streams line's services need, from the core's context. */
export const streamsDeps = ({
  db,
  clock,
  files,
  keys,
  chain,
  allowPrivateNetwork,
}: LineContext): StreamsDeps => ({ db, clock, files, keys, chain, allowPrivateNetwork });

/** What watching flows needs: the follower's handlers, the run-out scan and the liquidator. */
export const watchDeps = (context: ChainLineContext): WatchDeps => ({
  db: context.db,
  clock: context.clock,
  log: context.log,
  notifier: { clock: context.clock, types: context.notificationTypes, publicUrl: context.publicUrl },
  operator: context.chain.treasury.address,
  // The producers' webhooks: every start, change, resume, at_risk, close and liquidation passes
  // here once, in the transaction of the change.
  onSubscriptionEvent: (tx, event) => tellProducer(tx, context.clock, event),
});

/**
 * The streams line (seed 000): producers publish plans (a stream priced per period, a vesting
 * stream, a number of uses) that consumers pay for with Superfluid token streams.
 */
export const streamsLine: ProductLine = {
  name: 'streams',
  label: 'Streams',
  scopes: streamsScopeDescriptions,
  errors: { ...streamsErrors.definitions, ...streamChainErrors.definitions },
  notificationTypes: streamsNotificationTypes,
  prepare: ({ db, clock }) => ensureStreamsLedgers(db, clock),
  routes: (context) => streamsRoutes(streamsDeps(context)),
  jobs: (context) => {
    // What streamed is booked day by day; a minute is soon enough after midnight or a close.
    context.jobs.every('streams.mirror', 60_000, () => mirrorStreams(streamsDeps(context)));
    // The embedded chain only: the demo's subscribers pay from development accounts.
    const demoSubscribers = demoSubscribersJob({ ...streamsDeps(context), log: context.log });
    if (demoSubscribers) context.jobs.every('streams.demo_subscribers', 60_000, demoSubscribers);
    const { chain } = context;
    if (!chain) return;
    const settings = runOutSettings(process.env, chain);
    const deps = { ...watchDeps({ ...context, chain }), chain, settings };
    context.jobs.every('streams.runout', settings.scanIntervalMs, () => scanRunOuts(deps));
    // Vesting plans whose cliff has come: the start amount paid and the flow opened, by the operator.
    context.jobs.every('streams.vesting', 60_000, () =>
      startDueVestings({
        db: context.db,
        clock: context.clock,
        log: context.log,
        chain,
        notifier: deps.notifier,
      }),
    );
    const liquidator = devLiquidator(deps);
    // The embedded chain only: on a configured chain, liquidators are the public's.
    if (liquidator)
      context.jobs.every('streams.dev_liquidator', 60_000, () => liquidator.liquidateCriticalFlows());
  },
  watchers: (context) => [
    ...flowWatchers(context.chain, watchDeps(context)),
    ...usagePaymentWatchers(context.chain),
  ],
  settlements: (context) => ({ [CLOSE_FLOW_PURPOSE]: closeFlowSettlement(watchDeps(context)) }),
  demo: (context) => makeStreamsDemo(streamsDeps(context)),
};
