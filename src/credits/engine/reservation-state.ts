import { AppError } from '../../core/errors';
import type { ReservationState } from '../schema';

/**
 * A reservation is `active` until it is used (whole or in part), released, or expires; each of those
 * ends it for good. A part kept back by a partial use becomes a new reservation, so no state ever
 * returns to `active`.
 */
const moves: Record<ReservationState, readonly ReservationState[]> = {
  active: ['used', 'released', 'expired'],
  used: [],
  released: [],
  expired: [],
};

/** The state after a move, or the error that refuses it. */
export function moveReservation(from: ReservationState, to: ReservationState): ReservationState {
  if (moves[from].includes(to)) return to;
  // An expiry is the clock's verdict (a rule); used or released means another request got there first.
  if (from === 'expired') {
    throw new AppError('domain_rule', 'the reservation has expired', { state: from, requested: to });
  }
  throw new AppError('conflict', `the reservation is already ${from}`, { state: from, requested: to });
}

/** The state as the clock sees it: an active reservation past its expiry is expired, swept or not. */
export function stateAt(
  reservation: { state: ReservationState; expiresAt: Date | null },
  now: Date,
): ReservationState {
  if (reservation.state === 'active' && reservation.expiresAt && reservation.expiresAt <= now)
    return 'expired';
  return reservation.state;
}
