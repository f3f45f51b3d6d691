import type { LineContext, ProductLine } from '../product-line';
import { clubKind } from './clubs/kind';
import { makeCoopDemo } from './demo/demo';
import type { CoopDeps } from './deps';
import { coopErrors } from './errors';
import { coopNotificationTypes } from './notifications';
import { registerOrderJobs } from './orders/jobs';
import { ensureCoopLedger } from './orders/ledger';
import { coopRoutes } from './routes';
import { coopScopeDescriptions } from './scopes';

/** What the coop's services need, from the core's context. */
export const coopDeps = ({
  db,
  clock,
  publicUrl,
  kinds,
  files,
  notificationTypes,
  jobs,
}: LineContext): CoopDeps => ({
  db,
  clock,
  publicUrl,
  kinds,
  files,
  notificationTypes,
  jobs,
});

/** The coop line: a food buyers club of households buying from local producers (seed 002, "Plenty"). */
export const coopLine: ProductLine = {
  name: 'coop',
  label: 'Buyers club',
  scopes: coopScopeDescriptions,
  errors: coopErrors.definitions,
  organizationKinds: [clubKind],
  notificationTypes: coopNotificationTypes,
  prepare: ({ db, clock }) => ensureCoopLedger(db, clock),
  routes: (context) => coopRoutes(coopDeps(context)),
  jobs: (context) => registerOrderJobs(coopDeps(context)),
  demo: (context, actor) => makeCoopDemo(coopDeps(context), actor),
};
