import { api, call } from '../../../api/client';
import type { Member } from '../../../api/types';
import { type Resource, useResource } from '../../../hooks/useResource';

/**
 * A workspace's members, read under the same key as its members section, so a page that shows both
 * asks once; nothing is read without a workspace.
 */
export function useWorkspaceMembers(workspaceId: string | null): Resource<Member[]> {
  return useResource(`members:${workspaceId ?? 'none'}`, async () =>
    workspaceId
      ? (await call(api.GET('/api/orgs/{id}/members', { params: { path: { id: workspaceId } } }))).items
      : [],
  );
}

/**
 * Who pays in a workspace, by name as people read it: `you`, `Ada Buyer`, or their address; the
 * words for someone not (or not yet) in the list read as a sentence too.
 */
export function payerName(payerId: string, myId: string, members: Member[] | undefined): string {
  if (payerId === myId) return 'you';
  const member = members?.find((m) => m.user_id === payerId);
  return member?.name.trim() || member?.email || 'the person it bills';
}

/** "your credits", "Ada Buyer's credits": whose credits a workspace draws on after its reserve. */
export function whoseCredits(payerId: string, myId: string, members: Member[] | undefined): string {
  const name = payerName(payerId, myId, members);
  if (name === 'you') return 'your credits';
  if (name === 'the person it bills') return 'the credits of the person it bills';
  return `${name}'s credits`;
}
