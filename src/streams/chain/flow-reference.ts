import { concat, type Hex, keccak256, size, slice, toBytes } from 'viem';
import { AppError } from '../../core/errors';

/**
 * The `userData` a checkout's flow is created with: four tag bytes, then the 16 bytes of Tally's
 * id (a UUID) for the checkout. The agreement copies it unchanged into the flow's
 * `FlowUpdated(token, sender, receiver, flowRate, totalSenderFlowRate, totalReceiverFlowRate,
 * userData)` event, so the follower matches a flow to its checkout from the log alone. Flows that
 * other apps create carry their own userData, or none: the tag tells ours apart.
 */

const TAG: Hex = slice(keccak256(toBytes('tally.streams.checkout')), 0, 4);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function flowReference(checkoutId: string): Hex {
  if (!UUID.test(checkoutId)) {
    throw new AppError('validation_failed', 'a checkout id is a UUID', { field: 'checkoutId' });
  }
  return concat([TAG, `0x${checkoutId.replaceAll('-', '').toLowerCase()}`]);
}

/** The checkout id a flow's userData names, or null when the flow is not one of Tally's. */
export function checkoutIdOf(userData: Hex): string | null {
  if (size(userData) !== 20 || slice(userData, 0, 4) !== TAG) return null;
  const hex = slice(userData, 4).slice(2);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
