import { api, call } from '../../api/client';
import type { OrganizationKind } from '../../api/types';
import { useResource } from '../../hooks/useResource';

export function useOrganizationKinds() {
  return useResource('organization-kinds', async () => (await call(api.GET('/api/orgs/kinds'))).items);
}

export function kindLabel(kinds: OrganizationKind[] | undefined, kind: string): string {
  return kinds?.find((k) => k.kind === kind)?.label ?? kind;
}

export function roleLabel(kinds: OrganizationKind[] | undefined, kind: string, role: string | null): string {
  if (role === null) return 'Administrator (not a member)';
  return kinds?.find((k) => k.kind === kind)?.roles.find((r) => r.role === role)?.label ?? role;
}
