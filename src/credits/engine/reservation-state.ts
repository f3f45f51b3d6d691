import { defineStateMachine } from '../../core/state-machine';
import type { ReservationState } from '../schema';

/**
 * A reservation is `active` until it is used (whole or in part), released, or expires; each of those
 * ends it for good. A part kept back by a partial use becomes a new reservation, so no state ever
 * returns to `active`.
 */
export const reservationMachine = defineStateMachine<ReservationState>({
  name: 'reservation',
  moves: { active: ['used', 'released', 'expired'], used: [], released: [], expired: [] },
  refusals: {
    used: 'the reservation is already used',
    released: 'the reservation is already released',
    expired: 'the reservation has expired',
  },
});

/** The state after a move, or the refusal naming the state (`reservation_expired`, `reservation_used`…). */
export const moveReservation = (from: ReservationState, to: ReservationState): ReservationState =>
  reservationMachine.move(from, to);

/** The state as the clock sees it: an active reservation past its expiry is expired, swept or not. */
export function stateAt(
  reservation: { state: ReservationState; expiresAt: Date | null },
  now: Date,
): ReservationState {
  if (reservation.state === 'active' && reservation.expiresAt && reservation.expiresAt <= now)
    return 'expired';
  return reservation.state;
}
