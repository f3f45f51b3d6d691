import { api, call } from '../../../api/client';
import { useResource } from '../../../hooks/useResource';
import { useCredits } from '../CreditsLayout';
import type { UsageContext } from './UsageTable';

/** What a usage row names by id: action labels, workspace names, and the grants that paid. */
export function useUsageContext(): UsageContext {
  const { prices } = useCredits();
  const workspaces = useResource(
    'credits-workspaces',
    async () => (await call(api.GET('/api/credits/workspaces'))).items,
  );
  const grants = useResource(
    'credits-grants',
    async () => (await call(api.GET('/api/credits/grants'))).items,
  );
  return { prices: prices.data ?? undefined, workspaces: workspaces.data, grants: grants.data };
}
