import type { LineContext, ProductLine } from '../product-line';
import { cancellationWatcher, DEPOSIT_PURPOSE, depositSettlement, depositWatcher } from './deposits/service';
import type { GatewayDeps } from './deps';
import { gatewayErrors } from './errors';
import { ensureGatewayLedger } from './ledger';
import { gatewayNotificationTypes } from './notifications';
import { gatewayRoutes } from './routes';
import { gatewayScopeDescriptions } from './scopes';

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
    watchers: (context) => [
      depositWatcher(gatewayDeps(context), context.chain),
      cancellationWatcher(gatewayDeps(context), context.chain),
    ],
    settlements: (context) => ({ [DEPOSIT_PURPOSE]: depositSettlement(gatewayDeps(context), context.chain) }),
  };
}

export function gatewayDeps(context: LineContext): GatewayDeps {
  const { db, clock, log, keys, files, notificationTypes, publicUrl, chain } = context;
  return { db, clock, log, keys, files, notificationTypes, publicUrl, chain };
}

export const gatewayLine: ProductLine = defineGatewayLine();
