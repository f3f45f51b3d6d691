import { AppError } from '../errors';

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

const refusals: Record<
  Exclude<InvitationState, 'open'>,
  { code: 'conflict' | 'domain_rule'; message: string }
> = {
  accepted: { code: 'conflict', message: 'this invitation has already been used' },
  revoked: { code: 'domain_rule', message: 'this invitation was withdrawn; ask for a new one' },
  expired: { code: 'domain_rule', message: 'this invitation has expired; ask for a new one' },
};

/** The one way an invitation moves: from open to accepted or revoked; every other move is refused. */
export function requireOpenInvitation(invitation: InvitationTimes, now: Date): void {
  const state = invitationState(invitation, now);
  if (state !== 'open') throw new AppError(refusals[state].code, refusals[state].message, { state });
}
