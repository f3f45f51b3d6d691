import { Stack } from '@mantine/core';
import { useCallback } from 'react';
import { api, call } from '../../../api/client';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { AdminFrame } from './AdminFrame';
import { EnterPurchaseForm } from './EnterPurchaseForm';
import { PurchasesTable } from './PurchasesTable';

/** /credits/admin/purchases: every purchase, from webhooks or entered here. */
export function AdminPurchasesPage() {
  const products = useResource(
    'credits-admin-products-all',
    async () => (await call(api.GET('/api/credits/products', { params: { query: { limit: 200 } } }))).items,
  );
  const integrations = useResource(
    'credits-integrations',
    async () => (await call(api.GET('/api/credits/integrations'))).items,
  );
  const loadPage = useCallback(
    (cursor?: string) =>
      call(api.GET('/api/credits/purchases', { params: { query: { cursor, limit: 50 } } })),
    [],
  );
  const pages = useCursorPages('credits-admin-purchases', loadPage);
  return (
    <AdminFrame
      title="Purchases"
      description="Every purchase turns into an account and credits: reported by a sales platform's webhook, or entered here."
    >
      <Stack gap="lg">
        <SectionCard title="Purchases">
          <ResourceView
            resource={pages.first}
            loadingLabel="Loading the purchases…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title="No purchases yet">
                Connect a sales platform under Integrations, or enter a purchase below.
              </NothingYet>
            }
          >
            {() => (
              <PurchasesTable
                purchases={pages.items}
                products={products.data}
                integrations={integrations.data}
                moreToLoad={pages.hasMore}
              />
            )}
          </ResourceView>
          <LoadOlder pages={pages} label="Load older purchases" />
        </SectionCard>
        <SectionCard
          title="Enter a purchase"
          description="A sale made outside a connected platform. The buyer is registered if new, and gets their login details by mail."
        >
          <ResourceView resource={products} loadingLabel="Loading the products…">
            {(items) => (
              <EnterPurchaseForm
                products={items.filter((product) => product.active)}
                onEntered={() => void pages.reload()}
              />
            )}
          </ResourceView>
        </SectionCard>
      </Stack>
    </AdminFrame>
  );
}
