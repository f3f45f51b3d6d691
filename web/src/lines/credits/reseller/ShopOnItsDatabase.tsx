import { Alert, Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { api, call } from '../../../api/client';
import { useTenant } from '../../../app/tenant';
import { LoadingState } from '../../../components/States';
import { useWhitelabel } from './ResellerFrame';
import { type Refresh, useOptionalResource } from './useOptionalResource';

type ShopDatabase = Awaited<ReturnType<typeof loadShopDatabase>>;

const loadShopDatabase = () => call(api.GET('/api/credits/whitelabel/database'));

/** The reseller's shop's own database, or null while it has not asked for one. */
export function useShopDatabase(refresh?: Refresh<ShopDatabase>) {
  return useOptionalResource('credits-reseller-database', loadShopDatabase, refresh);
}

/**
 * What a page shows of the shop's products: on Tally's own site, a shop that runs on a database of
 * its own has its products there, which Tally's site does not read; rather than an empty list and a
 * form that would make a product the shop never sells, the reseller is sent to its domain.
 */
export function ShopProductsHere({ page, children }: { page: string; children: ReactNode }) {
  const tenant = useTenant();
  const database = useShopDatabase();
  const whitelabel = useWhitelabel();
  if (tenant) return <>{children}</>;
  // Not knowing yet must not show the form: it could make a product in the wrong database.
  if (database.data === undefined && !database.error) return <LoadingState label="Loading your shop…" />;
  if (database.data?.state !== 'ready') return <>{children}</>;
  const site = whitelabel.data?.url;
  return (
    <Alert color="blue" variant="light" role="status" title="Your shop runs on its own database">
      Its products live there: make, change and preview them{' '}
      {site ? (
        <Anchor href={`${site}${page}`} inherit>
          on {site}
        </Anchor>
      ) : (
        'on your domain'
      )}
      , signed in with this account.
    </Alert>
  );
}
