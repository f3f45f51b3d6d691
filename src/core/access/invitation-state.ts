import { defineStateMachine } from '../state-machine';

/**
 * An invitation is open until it is accepted (once), revoked (by the organisation, or replaced by a
 * new invitation to the same address) or expired (seven days after it was sent). The three ends are
 * final: a new invitation is the only way back.
 */
export type InvitationState = 'open' | 'accepted' | 'revoked' | 'expired';

export const INVITATION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export interface InvitationTimes {
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

export function invitationState(invitation: InvitationTimes, now: Date): InvitationState {
  if (invitation.acceptedAt) return 'accepted';
  if (invitation.revokedAt) return 'revoked';
  if (invitation.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'open';
}

/** The one way an invitation moves: from open to accepted, revoked or expired; every other move is refused. */
export const invitationMachine = defineStateMachine<InvitationState>({
  name: 'invitation',
  moves: { open: ['accepted', 'revoked', 'expired'], accepted: [], revoked: [], expired: [] },
  refusals: {
    accepted: 'this invitation has already been used',
    revoked: 'this invitation was withdrawn; ask for a new one',
    expired: 'this invitation has expired; ask for a new one',
  },
});

/** Moves an invitation as of `now` (an expiry counts the moment it passes), or refuses with its state. */
export function moveInvitation(invitation: InvitationTimes, now: Date, to: 'accepted' | 'revoked'): void {
  invitationMachine.move(invitationState(invitation, now), to);
}
