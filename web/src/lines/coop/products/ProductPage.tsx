import { Alert, Anchor, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopProduct, CoopProductVersion, CoopProductWithHistory } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { Facts } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { ClubFrame, useClub, useClubMembers, useCoopRefresh } from '../club/ClubLayout';
import { editableEuros, formatEuros, formatPercent, packaging, perUnit } from '../format';
import { ProductForm } from './ProductForm';
import { useCategories } from './ProductsPage';

function VersionsTable({ versions }: { versions: CoopProductVersion[] }) {
  const { club } = useClub();
  const user = useSignedInUser();
  const members = useClubMembers(club.id);
  const who = (v: CoopProductVersion) =>
    v.created_by === user.id
      ? 'You'
      : (members.data?.find((m) => m.user_id === v.created_by)?.name ?? 'A former member');
  return (
    <DataTable
      label="Versions"
      rows={versions}
      rowKey={(v) => String(v.version)}
      exportName="product-versions"
      initialSort={{ columnId: 'version', direction: 'descending' }}
      minWidth={860}
      columns={[
        {
          id: 'version',
          header: 'Version',
          cardTitle: true,
          sortValue: (v) => v.version,
          csv: (v) => String(v.version),
          cell: (v) => `Version ${v.version}`,
        },
        {
          id: 'when',
          header: 'Saved',
          nowrap: true,
          sortValue: (v) => v.created_at,
          csv: (v) => v.created_at,
          cell: (v) => formatToTheSecond(v.created_at),
        },
        { id: 'by', header: 'By', sortValue: who, csv: who, cell: who },
        { id: 'name', header: 'Name', sortValue: (v) => v.name, csv: (v) => v.name, cell: (v) => v.name },
        {
          id: 'price',
          header: 'Producer’s price',
          align: 'right',
          nowrap: true,
          sortValue: (v) => BigInt(v.price_cents),
          csv: (v) => editableEuros(v.price_cents),
          cell: (v) => `${formatEuros(v.price_cents)} ${perUnit(v.unit)}`,
        },
        {
          id: 'rates',
          header: 'VAT · margin',
          nowrap: true,
          csv: (v) => `${formatPercent(v.vat_basis_points)} · ${formatPercent(v.margin_basis_points)}`,
          cell: (v) => `${formatPercent(v.vat_basis_points)} · ${formatPercent(v.margin_basis_points)}`,
        },
        { id: 'packaging', header: 'Comes as', csv: (v) => packaging(v), cell: (v) => packaging(v) },
        {
          id: 'available',
          header: 'Most per order',
          align: 'right',
          csv: (v) => (v.maximum_available === null ? '' : String(v.maximum_available)),
          cell: (v) => (v.maximum_available === null ? 'no limit' : v.maximum_available),
        },
      ]}
    />
  );
}

function ArchiveButton({ product }: { product: CoopProduct }) {
  const refresh = useCoopRefresh();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const archived = product.archived_at !== null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(
        archived
          ? api.POST('/api/coop/products/{id}/restore', { params: { path: { id: product.id } } })
          : api.POST('/api/coop/products/{id}/archive', { params: { path: { id: product.id } } }),
      );
      await refresh();
      notifications.show({
        message: archived
          ? `${product.name} is back on the catalogue.`
          : `${product.name} is off the catalogue.`,
      });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4} align="flex-end">
      <Button variant="default" size="sm" loading={busy} onClick={() => void toggle()}>
        {archived ? 'Put back on the catalogue' : 'Take off the catalogue'}
      </Button>
      <FormErrorAlert message={error} />
    </Stack>
  );
}

function ProductView({ data }: { data: CoopProductWithHistory }) {
  const { club } = useClub();
  const _user = useSignedInUser();
  const refresh = useCoopRefresh();
  const { product, versions } = data;
  const producer = useResource(`coop-producer:${product.producer_id}`, () =>
    call(api.GET('/api/coop/producers/{id}', { params: { path: { id: product.producer_id } } })),
  );
  const categories = useCategories(club.id);
  const edits = producer.data?.my_rights.edits_products ?? false;
  const producerPath = `/coop/clubs/${club.id}/producers/${product.producer_id}`;
  return (
    <ClubFrame
      title={product.name}
      trail={[
        { label: 'Products', to: `/coop/clubs/${club.id}/products` },
        { label: product.producer_name, to: producerPath },
      ]}
      description={
        <Group gap="xs" component="span">
          {product.archived_at ? (
            <Badge color="gray" variant="filled" style={{ overflow: 'visible' }}>
              Off the catalogue
            </Badge>
          ) : (
            <Badge color="teal" variant="light" style={{ overflow: 'visible' }}>
              On the catalogue
            </Badge>
          )}
          <span>
            From{' '}
            <Anchor component={Link} to={producerPath} inherit underline="always">
              {product.producer_name}
            </Anchor>{' '}
            · reference {product.code}
          </span>
        </Group>
      }
      actions={edits && <ArchiveButton product={product} />}
    >
      <Stack gap="lg">
        <SectionCard title="Price">
          <Text>
            <Text span fz={28} fw={700} data-testid="member-price">
              {formatEuros(product.member_price_cents)}
            </Text>{' '}
            <Text span c="dimmed">
              {perUnit(product.unit)}, what a member pays, VAT included
            </Text>
          </Text>
          <Facts
            facts={[
              {
                label: 'Producer’s price',
                value: `${formatEuros(product.price_cents)} ${perUnit(product.unit)}`,
              },
              { label: 'Club margin', value: formatPercent(product.margin_basis_points) },
              { label: 'VAT', value: formatPercent(product.vat_basis_points) },
            ]}
          />
          {product.estimate && (
            <Alert variant="light" color="blue" title="Sold by weight">
              What a household orders is an estimate: its bill follows what is weighed at delivery, at{' '}
              {formatEuros(product.member_price_cents)} {perUnit(product.unit)}.
            </Alert>
          )}
        </SectionCard>
        <SectionCard title="The product">
          <Facts
            facts={[
              { label: 'Comes as', value: packaging(product) },
              {
                label: 'Most per order',
                value: product.maximum_available === null ? 'No limit' : product.maximum_available,
              },
              {
                label: 'Categories',
                value: product.categories.length > 0 ? product.categories.join(', ') : 'None',
              },
              { label: 'Origin', value: product.origin ?? 'Not given' },
              { label: 'Ingredients', value: product.ingredients ?? 'Not given' },
              { label: 'Last changed', value: formatToTheSecond(product.created_at) },
            ]}
          />
          {product.description && (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {product.description}
            </Text>
          )}
        </SectionCard>
        <SectionCard
          title="History"
          description="Every change is a new version; an order keeps the version it was placed with."
        >
          <VersionsTable versions={versions} />
        </SectionCard>
        {edits && !product.archived_at && (
          <SectionCard
            title="Change the product"
            description="Saving makes a new version; orders placed before keep theirs."
          >
            <ProductForm
              product={product}
              categories={(categories.data ?? []).map((c) => c.category)}
              submitLabel="Save a new version"
              onSubmit={async (fields) => {
                await call(
                  api.PATCH('/api/coop/products/{id}', {
                    params: { path: { id: product.id } },
                    body: fields,
                  }),
                );
                await refresh();
                notifications.show({ color: 'teal', message: `${fields.name} is saved as a new version.` });
              }}
            />
          </SectionCard>
        )}
      </Stack>
    </ClubFrame>
  );
}

/** /coop/clubs/:clubId/products/:productId: a product, its member price, and every version it had. */
export function ProductPage() {
  usePageTitle('Product');
  const { productId = '' } = useParams();
  const product = useResource(`coop-product:${productId}`, () =>
    call(api.GET('/api/coop/products/{id}', { params: { path: { id: productId } } })),
  );
  return (
    <ResourceView resource={product} loadingLabel="Loading the product…">
      {(data) => <ProductView data={data} />}
    </ResourceView>
  );
}
