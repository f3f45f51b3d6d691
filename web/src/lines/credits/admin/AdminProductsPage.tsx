import { Group, Select, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useState } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsProductType } from '../../../api/types';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useCredits } from '../CreditsLayout';
import { productTypeLabels } from '../format';
import { ProductForm } from '../products/ProductForm';
import { ProductsTable } from '../products/ProductsTable';
import { AdminFrame } from './AdminFrame';

const ADMIN_TYPES: CreditsProductType[] = ['generic', 'whitelabel'];

/** /credits/admin/products: every product, and new generic and whitelabel ones. */
export function AdminProductsPage() {
  const { prices } = useCredits();
  const [type, setType] = useState<CreditsProductType | ''>('');
  const [active, setActive] = useState<'' | 'true' | 'false'>('');
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/products', {
          params: {
            query: { ...(type ? { type } : {}), ...(active ? { active } : {}), cursor, limit: 50 },
          },
        }),
      ),
    [type, active],
  );
  const pages = useCursorPages(`credits-admin-products:${type}:${active}`, loadPage);

  return (
    <AdminFrame
      title="Credits products"
      description="What is sold: generic and whitelabel products are made here; resellers make under-whitelabel ones."
    >
      <Stack gap="lg">
        <SectionCard
          title="Products"
          actions={
            <Group gap="sm">
              <Select
                label="Type"
                w={180}
                data={[
                  { value: '', label: 'Every type' },
                  ...Object.entries(productTypeLabels).map(([value, label]) => ({ value, label })),
                ]}
                value={type}
                allowDeselect={false}
                onChange={(value) => setType((value ?? '') as CreditsProductType | '')}
              />
              <Select
                label="State"
                w={150}
                data={[
                  { value: '', label: 'Any state' },
                  { value: 'true', label: 'On sale' },
                  { value: 'false', label: 'Inactive' },
                ]}
                value={active}
                allowDeselect={false}
                onChange={(value) => setActive((value ?? '') as '' | 'true' | 'false')}
              />
            </Group>
          }
        >
          <ResourceView
            resource={pages.first}
            loadingLabel="Loading the products…"
            isEmpty={(page) => page.items.length === 0}
            empty={
              <NothingYet title={type || active ? 'No product matches' : 'No products yet'}>
                {type || active
                  ? 'Change the filters.'
                  : 'Create the first one below; then connect a sales platform under Integrations.'}
              </NothingYet>
            }
          >
            {() => (
              <ProductsTable
                products={pages.items}
                basePath="/credits/admin/products"
                moreToLoad={pages.hasMore}
              />
            )}
          </ResourceView>
          <LoadOlder pages={pages} label="Load older products" />
        </SectionCard>
        <SectionCard
          title="Create a product"
          description="Its credits are granted at each purchase and refilled every cycle; its actions are what holders may spend them on."
        >
          <ResourceView resource={prices} loadingLabel="Loading the actions…">
            {(actions) => (
              <ProductForm
                types={ADMIN_TYPES}
                actions={actions ?? []}
                submitLabel="Create product"
                onSubmit={async (fields) => {
                  const product = await call(api.POST('/api/credits/products', { body: fields }));
                  notifications.show({ color: 'teal', message: `${product.name} created.` });
                  await pages.reload();
                }}
              />
            )}
          </ResourceView>
        </SectionCard>
      </Stack>
    </AdminFrame>
  );
}
