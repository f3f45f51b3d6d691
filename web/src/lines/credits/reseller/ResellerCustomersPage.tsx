import { Stack } from '@mantine/core';
import { useCallback } from 'react';
import { api, call } from '../../../api/client';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { ResellerCustomersTable } from './ResellerCustomersTable';
import { ResellerFrame } from './ResellerFrame';
import { PoolSection } from './ResellerOverviewPage';

/** /credits/reseller/customers: who holds the reseller's products, and the credits it funded them. */
export function ResellerCustomersPage() {
  const loadPage = useCallback(
    (cursor?: string) =>
      call(api.GET('/api/credits/whitelabel/customers', { params: { query: { cursor, limit: 100 } } })),
    [],
  );
  const pages = useCursorPages('credits-reseller-customers', loadPage);
  return (
    <ResellerFrame
      title="Your customers"
      description="The people who bought your products, with the credits you funded them this cycle."
    >
      <Stack gap="lg">
        <PoolSection />
        <SectionCard title="Customers">
          <ResourceView
            resource={pages.first}
            loadingLabel="Loading your customers…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title="No customers yet">
                When someone buys one of your products, they appear here with their credits.
              </NothingYet>
            }
          >
            {() => <ResellerCustomersTable customers={pages.items} moreToLoad={pages.hasMore} />}
          </ResourceView>
          <LoadOlder pages={pages} label="Load more customers" />
        </SectionCard>
      </Stack>
    </ResellerFrame>
  );
}
