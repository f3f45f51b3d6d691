import { Anchor, Button, Code, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { paths } from '../../../api/schema';
import type { CreditsActionPrice, CreditsProduct } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { AdminFrame } from '../admin/AdminFrame';
import { ObjectHistory } from '../admin/ObjectHistory';
import { PurchasesTable } from '../admin/PurchasesTable';
import { useCredits } from '../CreditsLayout';
import {
  actionLabel,
  checkoutSells,
  formatCredits,
  formatDisplayPrice,
  paymentLinkUrl,
  productTypeLabels,
  refillCycleLabels,
} from '../format';
import { ResellerFrame } from '../reseller/ResellerFrame';
import { ProductForm } from './ProductForm';
import { ProductStateBadge } from './ProductsTable';

type Area = 'admin' | 'reseller';
type ProductChanges = NonNullable<
  paths['/api/credits/products/{id}']['patch']['requestBody']
>['content']['application/json'];

function ProductFacts({
  product,
  prices,
}: {
  product: CreditsProduct;
  prices: CreditsActionPrice[] | undefined;
}) {
  return (
    <Facts
      facts={[
        { label: 'Type', value: productTypeLabels[product.type] },
        { label: 'Credits per cycle', value: formatCredits(product.credits_per_cycle) },
        { label: 'Refill', value: refillCycleLabels[product.refill_cycle] },
        { label: 'Rollover', value: formatCredits(product.rollover_credits) },
        { label: 'Display price', value: formatDisplayPrice(product.display_price) },
        {
          label: 'Actions it allows',
          value: product.permissions.map((p) => actionLabel(prices, p)).join(', ') || 'none',
        },
        ...(product.owner_user_id
          ? [
              {
                label: 'Reseller',
                value: (
                  <Anchor component={Link} to={`/credits/admin/users/${product.owner_user_id}`}>
                    {product.owner?.name || product.owner?.email || 'The reseller'}
                  </Anchor>
                ),
              },
            ]
          : []),
        { label: 'Created', value: formatToTheSecond(product.created_at) },
        { label: 'Changed', value: formatToTheSecond(product.updated_at) },
      ]}
    />
  );
}

/** Where the product is bought: its payment link, and its id for a sales platform's webhook. */
function WhereItSells({ product }: { product: CreditsProduct }) {
  const sells = checkoutSells(product.display_price);
  return (
    <SectionCard
      title="Selling it"
      description="Share the payment link: anyone who opens it pays in USDC from a wallet, and gets an account and the credits."
    >
      <Stack gap="sm">
        {sells ? (
          product.active ? (
            <CopyValue value={paymentLinkUrl(product.id)} label="Payment link" />
          ) : (
            <Text size="sm">Its payment link works again once it is on sale again.</Text>
          )
        ) : (
          <Text size="sm">
            No payment link: Tally's checkout sells products priced in US dollars (paid one USDC for each
            dollar), and this one is priced {formatDisplayPrice(product.display_price)}. Change its display
            price below to USD to get one.
          </Text>
        )}
        <div>
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            Product id
          </Text>
          <Text size="sm" c="dimmed">
            What a sales platform sends as <Code>product_id</Code> in its webhook.
          </Text>
          <CopyValue value={product.id} label="Product id" />
        </div>
      </Stack>
    </SectionCard>
  );
}

function ProductPurchases({ product }: { product: CreditsProduct }) {
  const productId = product.id;
  const purchases = useResource(
    `credits-product-purchases:${productId}`,
    async () =>
      (
        await call(
          api.GET('/api/credits/purchases', { params: { query: { product_id: productId, limit: 20 } } }),
        )
      ).items,
  );
  return (
    <SectionCard title="Latest purchases" description="The newest 20 purchases of this product.">
      <ResourceView
        resource={purchases}
        loadingLabel="Loading the purchases…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet title="No purchases yet">
            Purchases arrive from the sales platform, or an administrator enters them under Purchases.
          </NothingYet>
        }
      >
        {(items) => <PurchasesTable purchases={items} products={[product]} excerpt />}
      </ResourceView>
    </SectionCard>
  );
}

function ProductView({
  product,
  area,
  onChanged,
}: {
  product: CreditsProduct;
  area: Area;
  onChanged: (product: CreditsProduct) => void;
}) {
  const { prices, profile } = useCredits();
  const path = { id: product.id };
  const update = async (body: ProductChanges) => {
    const changed = await call(api.PATCH('/api/credits/products/{id}', { params: { path }, body }));
    onChanged(changed);
    return changed;
  };
  const grantable =
    area === 'admin'
      ? (prices.data ?? [])
      : (prices.data ?? []).filter((price) => profile.data?.permissions.includes(price.action));
  const Frame = area === 'admin' ? AdminFrame : ResellerFrame;
  return (
    <Frame
      title={product.name}
      description={
        <Group gap="xs" component="span">
          <ProductStateBadge product={product} />
          <span>{productTypeLabels[product.type]} product</span>
        </Group>
      }
      actions={
        product.active ? (
          <ConfirmButton
            label="Deactivate"
            question={`Stop selling ${product.name}?`}
            consequence="New purchases of it are refused. People who hold it keep it and its refills."
            confirmLabel="Deactivate"
            size="sm"
            onConfirm={async () => {
              await update({ active: false });
            }}
          />
        ) : (
          <Button
            variant="default"
            onClick={async () => {
              try {
                await update({ active: true });
                notifications.show({ color: 'teal', message: `${product.name} is on sale again.` });
              } catch (error) {
                notifications.show({ color: 'red', message: asApiError(error).message });
              }
            }}
          >
            Put on sale again
          </Button>
        )
      }
    >
      <Stack gap="lg">
        <SectionCard title="Product">
          <ProductFacts product={product} prices={prices.data ?? undefined} />
        </SectionCard>
        <WhereItSells product={product} />
        {area === 'admin' && <ProductPurchases product={product} />}
        <SectionCard
          title="Change"
          description="Changes apply to later purchases and refills, not to credits already granted."
        >
          <ProductForm
            key={product.updated_at}
            product={product}
            types={[]}
            actions={grantable}
            maxCredits={area === 'reseller' ? profile.data?.balance.available : undefined}
            creditsHint={
              area === 'reseller' && profile.data
                ? `A raise may not exceed your ${formatCredits(profile.data.balance.available)} available.`
                : undefined
            }
            submitLabel="Save changes"
            onSubmit={async (fields) => {
              const { type: _type, ...changes } = fields;
              await update(changes);
              notifications.show({ color: 'teal', message: `${product.name} saved.` });
            }}
          />
        </SectionCard>
        {area === 'admin' && <ObjectHistory objectType="credits_product" objectId={product.id} />}
      </Stack>
    </Frame>
  );
}

/** /credits/admin/products/:productId and /credits/reseller/products/:productId: a product's page. */
export function ProductPage({ area }: { area: Area }) {
  usePageTitle('Product');
  const { productId = '' } = useParams();
  const product = useResource(`credits-product:${productId}`, () =>
    call(api.GET('/api/credits/products/{id}', { params: { path: { id: productId } } })),
  );
  return (
    <ResourceView resource={product} loadingLabel="Loading the product…">
      {(data) => <ProductView product={data} area={area} onChanged={product.replace} />}
    </ResourceView>
  );
}
