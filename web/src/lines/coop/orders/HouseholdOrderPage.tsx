import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopCatalogueProduct, CoopHouseholdOrder, CoopOrderDetail } from '../../../api/types';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { ErrorState, LoadingState, NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { formatToTheSecond } from '../../../lib/dates';
import { ClubFrame, useClub } from '../club/ClubLayout';
import { formatEuros, packaging, perUnit, plural } from '../format';
import { OrderStateLine } from './OrderPage';
import { QuantityStepper } from './QuantityStepper';
import { orderPaths, useCatalogue, useHouseholdOrder, useOrder } from './resources';

/** How many products the list shows at a time: a catalogue of thousands stays quick to type into. */
export const PRODUCTS_AT_A_TIME = 100;

interface Indexed {
  product: CoopCatalogueProduct;
  /** What a search reads: name, producer, categories and reference, lower case. */
  text: string;
}

function searchIndex(products: CoopCatalogueProduct[]): Indexed[] {
  return products.map((product) => ({
    product,
    text: [product.name, product.producer_name, product.code, ...product.categories].join(' ').toLowerCase(),
  }));
}

/** Every word typed must appear: "apple bio" finds the organic apples of any producer. */
function matching(index: Indexed[], query: string): CoopCatalogueProduct[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return index.map((entry) => entry.product);
  return index.filter((entry) => words.every((word) => entry.text.includes(word))).map((e) => e.product);
}

const ProductRow = memo(function ProductRow({
  product,
  quantity,
  lineTotal,
  editable,
  refusal,
  onSave,
}: {
  product: CoopCatalogueProduct;
  quantity: number;
  /** What the household's line of it comes to, as ordered. */
  lineTotal: string | undefined;
  editable: boolean;
  refusal: string | undefined;
  onSave: (product: CoopCatalogueProduct, quantity: number) => Promise<void>;
}) {
  const refusalId = `refusal-${product.id}`;
  const save = useCallback((next: number) => onSave(product, next), [onSave, product]);
  return (
    <Card
      withBorder
      padding="sm"
      component="li"
      aria-label={product.name}
      style={quantity > 0 ? { borderColor: 'var(--mantine-color-teal-5)' } : undefined}
    >
      <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
        <Stack gap={2} style={{ flex: '1 1 14rem', minWidth: 0 }}>
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {product.name}
          </Text>
          <Text size="sm">
            {packaging(product)}
            {product.estimate ? ', by weight' : ''} · {product.estimate ? 'about ' : ''}
            <Text span fw={600} size="sm">
              {formatEuros(product.item_price_cents)}
            </Text>{' '}
            per item · {formatEuros(product.unit_price_cents)} {perUnit(product.unit)}
          </Text>
          {(product.categories.length > 0 || product.maximum_available !== null) && (
            <Group gap={4}>
              {product.maximum_available !== null && (
                <Badge size="xs" color="orange" variant="light" style={{ overflow: 'visible' }}>
                  at most {product.maximum_available} this time
                </Badge>
              )}
              {product.categories.map((c) => (
                <Badge key={c} size="xs" color="gray" variant="light" style={{ overflow: 'visible' }}>
                  {c}
                </Badge>
              ))}
            </Group>
          )}
          {product.description && (
            <Text size="xs" c="dimmed" lineClamp={2}>
              {product.description}
            </Text>
          )}
          {refusal && (
            <Text id={refusalId} size="sm" c="red" role="alert">
              {refusal}
            </Text>
          )}
        </Stack>
        <Stack gap={2} align="flex-end">
          {editable ? (
            <QuantityStepper
              name={product.name}
              quantity={quantity}
              maximum={product.maximum_available}
              disabled={false}
              describedBy={refusal ? refusalId : undefined}
              onSave={save}
            />
          ) : (
            <Text size="sm" fw={quantity > 0 ? 600 : 400} c={quantity > 0 ? undefined : 'dimmed'}>
              {quantity > 0 ? `${quantity} ordered` : 'not ordered'}
            </Text>
          )}
          {quantity > 0 && lineTotal && (
            <Text size="xs" c="dimmed">
              {product.estimate ? 'about ' : ''}
              {formatEuros(lineTotal)}
            </Text>
          )}
        </Stack>
      </Group>
    </Card>
  );
});

/** The household's total, always in sight at the bottom of the screen (a phone's thumb reach). */
function StickyTotal({ household, order }: { household: CoopHouseholdOrder; order: CoopOrderDetail }) {
  const lines = household.lines.filter((l) => l.quantity > 0);
  const estimated = lines.some((l) => l.estimate);
  return (
    <Card
      withBorder
      shadow="md"
      padding="sm"
      component="section"
      aria-label="Your household’s total"
      style={{ position: 'sticky', bottom: 0, zIndex: 5 }}
    >
      <Group justify="space-between" gap="sm" wrap="wrap">
        <Stack gap={0} aria-live="polite">
          <Text fw={700} size="lg" data-testid="household-total">
            {formatEuros(household.bill?.total_cents ?? household.ordered_totals.total_cents)}
          </Text>
          <Text size="xs" c="dimmed">
            {household.household_name}: {plural(lines.length, 'product')}
            {estimated ? ' · goods sold by weight are billed as weighed' : ''}
          </Text>
        </Stack>
        <Button component={Link} to={orderPaths(order.club_id, order.id).order} variant="default">
          Back to the order
        </Button>
      </Group>
    </Card>
  );
}

function Shop({ order }: { order: CoopOrderDetail }) {
  const household = useHouseholdOrder(order.id);
  const catalogue = useCatalogue(order.id);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [onlyOrdered, setOnlyOrdered] = useState(false);
  const [limit, setLimit] = useState(PRODUCTS_AT_A_TIME);
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const index = useMemo(() => searchIndex(catalogue.data ?? []), [catalogue.data]);
  const lines = useMemo(
    () => new Map((household.data?.lines ?? []).map((l) => [l.product_id, l])),
    [household.data],
  );
  const matches = useMemo(() => {
    const found = matching(index, deferredQuery);
    return onlyOrdered ? found.filter((p) => (lines.get(p.id)?.quantity ?? 0) > 0) : found;
  }, [index, deferredQuery, onlyOrdered, lines]);
  const { replace: replaceHousehold, reload: reloadHousehold } = household;
  const { reload: reloadCatalogue } = catalogue;
  const { reload: reloadOrder } = useOrder(order.id);
  // Whether the household orders anything: when that changes, so does the order's count of households.
  const ordering = useRef<boolean | null>(null);
  useEffect(() => {
    if (household.data) ordering.current = household.data.lines.some((l) => l.quantity > 0);
  }, [household.data]);

  const save = useCallback(
    async (product: CoopCatalogueProduct, quantity: number) => {
      setRefusals(({ [product.id]: _, ...rest }) => rest);
      try {
        const saved = await call(
          api.PUT('/api/coop/orders/{id}/household-order/lines/{productId}', {
            params: { path: { id: order.id, productId: product.id } },
            body: { quantity, version: product.version },
          }),
        );
        if (saved) {
          const before = ordering.current;
          replaceHousehold(saved);
          if (before !== null && before !== saved.lines.some((l) => l.quantity > 0)) void reloadOrder();
        }
      } catch (thrown) {
        const error = asApiError(thrown);
        let message = error.message;
        if (error.code === 'product_version_stale') {
          // The product changed since the page showed it: show it as it is now, and say so.
          await reloadCatalogue();
          message = `${product.name} changed since this page showed it: check its price and packaging above, then set the amount again.`;
        } else if (error.code === 'order_deadline_passed' || error.code === 'order_closed') {
          await reloadHousehold();
        }
        setRefusals((current) => ({ ...current, [product.id]: message }));
        throw error;
      }
    },
    [order.id, replaceHousehold, reloadCatalogue, reloadHousehold, reloadOrder],
  );

  const failed = household.error ?? catalogue.error;
  if (failed && !household.loading && !catalogue.loading) {
    return (
      <ErrorState error={failed} onRetry={() => void Promise.all([household.reload(), catalogue.reload()])} />
    );
  }
  if (!household.data || !catalogue.data) return <LoadingState label="Loading the products on offer…" />;
  const editable = household.data.editable;
  const shown = matches.slice(0, limit);
  const groups: { producer: string; products: CoopCatalogueProduct[] }[] = [];
  for (const product of shown) {
    const last = groups[groups.length - 1];
    if (last?.producer === product.producer_name) last.products.push(product);
    else groups.push({ producer: product.producer_name, products: [product] });
  }

  return (
    <Stack gap="md">
      {!editable && (
        <Alert color="gray" variant="light" title="Your order can no longer change">
          {order.status === 'preparing'
            ? 'The order is not open yet: producers are still answering. You can look at what is on offer.'
            : `The deadline passed${order.deadline ? ` (${formatToTheSecond(order.deadline)})` : ''}: here is what your household ordered.`}
        </Alert>
      )}
      {catalogue.data.length === 0 ? (
        <NothingYet title="Nothing on offer">
          No producer that delivers this time has a product on the catalogue.
        </NothingYet>
      ) : (
        <SectionCard
          title="Products on offer"
          description={
            editable
              ? `Until ${formatToTheSecond(order.deadline)}. Each change is saved at once, at the price shown.`
              : undefined
          }
        >
          <Stack gap="sm">
            <Group gap="sm" align="flex-end" wrap="wrap">
              <TextInput
                label="Search products"
                description="By name, producer or category."
                type="search"
                value={query}
                onChange={(event) => {
                  setQuery(event.currentTarget.value);
                  setLimit(PRODUCTS_AT_A_TIME);
                }}
                style={{ flex: '1 1 16rem' }}
              />
              <Switch
                label="Only what we ordered"
                checked={onlyOrdered}
                onChange={(event) => {
                  setOnlyOrdered(event.currentTarget.checked);
                  setLimit(PRODUCTS_AT_A_TIME);
                }}
                pb={8}
              />
            </Group>
            <Text size="sm" c="dimmed" role="status">
              {matches.length === catalogue.data.length
                ? plural(matches.length, 'product')
                : `${matches.length} of ${plural(catalogue.data.length, 'product')}`}
              {matches.length > shown.length ? `, the first ${shown.length} shown` : ''}
            </Text>
            {matches.length === 0 && (
              <Text size="sm" c="dimmed">
                {query.trim()
                  ? `Nothing matches “${query.trim()}”.`
                  : 'Your household has not ordered anything yet.'}
              </Text>
            )}
            {groups.map((group) => (
              <Stack key={group.producer} gap="xs" component="section" aria-label={group.producer}>
                <Title order={3} size="h5" mt="xs">
                  {group.producer}
                </Title>
                <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
                  {group.products.map((product) => (
                    <ProductRow
                      key={product.id}
                      product={product}
                      quantity={lines.get(product.id)?.quantity ?? 0}
                      lineTotal={lines.get(product.id)?.ordered.total_cents}
                      editable={editable}
                      refusal={refusals[product.id]}
                      onSave={save}
                    />
                  ))}
                </Stack>
              </Stack>
            ))}
            {matches.length > shown.length && (
              <Group>
                <Button variant="default" onClick={() => setLimit((n) => n + PRODUCTS_AT_A_TIME)}>
                  Show {Math.min(PRODUCTS_AT_A_TIME, matches.length - shown.length)} more
                </Button>
              </Group>
            )}
          </Stack>
        </SectionCard>
      )}
      <StickyTotal household={household.data} order={order} />
    </Stack>
  );
}

/** /coop/clubs/:clubId/orders/:orderId/my-order: the household orders from the catalogue, on a phone as well. */
export function HouseholdOrderPage() {
  usePageTitle('Your order');
  const { club } = useClub();
  const { orderId = '' } = useParams();
  const order = useOrder(orderId);
  return (
    <ResourceView resource={order} loadingLabel="Loading the order…">
      {(data) => (
        <ClubFrame
          title={`Your order in order ${data.number}`}
          trail={[
            { label: 'Orders', to: `/coop/clubs/${club.id}/orders` },
            { label: `Order ${data.number}`, to: orderPaths(club.id, data.id).order },
          ]}
          description={<OrderStateLine order={data} />}
        >
          {data.mine.household_id ? (
            <Shop order={data} />
          ) : (
            <NothingYet
              title="Join a household to order"
              action={
                <Button component={Link} to={`/coop/clubs/${club.id}`}>
                  Start or join a household
                </Button>
              }
            >
              A club orders by household: start yours, or ask to join the one you live in.{' '}
              <Anchor component={Link} to={`/coop/clubs/${club.id}/products`} inherit>
                See the products meanwhile.
              </Anchor>
            </NothingYet>
          )}
        </ClubFrame>
      )}
    </ResourceView>
  );
}
