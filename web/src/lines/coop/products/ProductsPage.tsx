import { Chip, Group, NativeSelect, Stack, Switch, Text } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { ClubFrame, useClub } from '../club/ClubLayout';
import { plural } from '../format';
import { useProducers } from '../producers/ProducersPage';
import { ProductsTable } from './ProductsTable';

export function useCategories(clubId: string) {
  return useResource(
    `coop-categories:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/categories', { params: { path: { id: clubId } } }))).items,
  );
}

/**
 * /coop/clubs/:clubId/products: the club's catalogue, by category (with how many products each has),
 * by producer, and by words. The filters are in the address, so a filtered list can be shared.
 */
export function ProductsPage() {
  const { club } = useClub();
  const [params, setParams] = useSearchParams();
  const category = params.get('category') ?? '';
  const producerId = params.get('producer') ?? '';
  const archived = params.get('archived') === 'true';
  const categories = useCategories(club.id);
  const producers = useProducers(club.id);
  const products = useResource(
    `coop-products:${club.id}:${category}:${producerId}:${archived}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/clubs/{id}/products', {
            params: {
              path: { id: club.id },
              query: {
                category: category || undefined,
                producer_id: producerId || undefined,
                archived: archived ? 'true' : undefined,
              },
            },
          }),
        )
      ).items,
  );
  const setFilter = (name: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  const total = categories.data?.reduce((sum, c) => sum + c.products, 0);

  return (
    <ClubFrame
      title="Products"
      description="What the club’s producers offer, at the price a member pays: the club’s margin and VAT included."
    >
      <Stack gap="lg">
        <SectionCard title="Categories" description="Choose one to see its products.">
          <ResourceView
            resource={categories}
            loadingLabel="Loading the categories…"
            isEmpty={(items) => items.length === 0}
            empty={
              <Text size="sm" c="dimmed">
                No product has a category yet: the liaisons give them one on their producer’s page.
              </Text>
            }
          >
            {(items) => (
              <Chip.Group
                multiple={false}
                value={category || '*'}
                onChange={(value) => setFilter('category', value === '*' ? '' : value)}
              >
                <Group gap="xs" role="radiogroup" aria-label="Category">
                  <Chip value="*" variant="outline">
                    All categories{total !== undefined ? ` (${total})` : ''}
                  </Chip>
                  {items.map((c) => (
                    <Chip key={c.category} value={c.category} variant="outline">
                      {c.category} ({c.products})
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            )}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title={category ? `Products in ${category}` : 'All products'}
          description={products.data ? plural(products.data.length, 'product') : undefined}
        >
          <ResourceView resource={products} loadingLabel="Loading the products…">
            {(items) =>
              items.length === 0 && !category && !producerId && !archived ? (
                <NothingYet title="No product yet">
                  Products are added on their producer’s page, one by one or from a spreadsheet (CSV). Open
                  Producers, then a producer you are the liaison of.
                </NothingYet>
              ) : (
                <ProductsTable
                  products={items}
                  clubId={club.id}
                  toolbar={
                    <Group gap="sm" align="flex-end">
                      <NativeSelect
                        label="Producer"
                        value={producerId}
                        onChange={(event) => setFilter('producer', event.currentTarget.value)}
                        data={[
                          { value: '', label: 'All producers' },
                          ...(producers.data ?? []).map((p) => ({ value: p.id, label: p.name })),
                        ]}
                      />
                      <Switch
                        label="Include products off the catalogue"
                        checked={archived}
                        onChange={(event) => setFilter('archived', event.currentTarget.checked ? 'true' : '')}
                        pb={8}
                      />
                    </Group>
                  }
                />
              )
            }
          </ResourceView>
        </SectionCard>
      </Stack>
    </ClubFrame>
  );
}
