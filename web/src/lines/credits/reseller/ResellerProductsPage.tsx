import { Alert, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsProfile } from '../../../api/types';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useCredits } from '../CreditsLayout';
import { formatCredits, priceOf } from '../format';
import { ProductForm } from '../products/ProductForm';
import { ProductsTable } from '../products/ProductsTable';
import { ResellerFrame } from './ResellerFrame';
import { ShopProductsHere } from './ShopOnItsDatabase';

const CREATE_ACTION = 'create_under_whitelabel_product';

function NewProduct({ profile, onCreated }: { profile: CreditsProfile; onCreated: () => Promise<void> }) {
  const { prices, profile: profileResource } = useCredits();
  const cost = priceOf(prices.data, CREATE_ACTION) ?? '0';
  const available = BigInt(profile.balance.available);
  const reach = available > BigInt(cost) ? (available - BigInt(cost)).toString() : '0';
  const grantable = (prices.data ?? []).filter((price) => profile.permissions.includes(price.action));
  if (!profile.permissions.includes(CREATE_ACTION)) {
    return (
      <Alert color="gray" variant="light" title="Your products do not include making products">
        Making under-whitelabel products is an action your whitelabel product must allow; ask an
        administrator.
      </Alert>
    );
  }
  return (
    <ProductForm
      types={[]}
      actions={grantable}
      maxCredits={reach}
      creditsHint={`You have ${formatCredits(profile.balance.available)} available; making a product costs ${formatCredits(cost)}, so at most ${formatCredits(reach)}.`}
      submitLabel="Create product"
      onSubmit={async (fields) => {
        const product = await call(api.POST('/api/credits/products', { body: fields }));
        notifications.show({
          color: 'teal',
          message: `${product.name} created; ${formatCredits(cost)} used to make it.`,
        });
        await Promise.all([onCreated(), profileResource.reload()]);
      }}
    />
  );
}

/** /credits/reseller/products: a whitelabel reseller's own products, sold to their customers. */
export function ResellerProductsPage() {
  const loadPage = useCallback(
    (cursor?: string) => call(api.GET('/api/credits/products', { params: { query: { cursor, limit: 50 } } })),
    [],
  );
  const pages = useCursorPages('credits-reseller-products', loadPage);
  return (
    <ResellerFrame
      title="Your products"
      description="Products you sell on your own domain: only with actions you hold, never with more credits than you have."
    >
      {(reseller) => (
        <ShopProductsHere page="/credits/reseller/products">
          <Stack gap="lg">
            <SectionCard title="Products">
              <ResourceView
                resource={pages.first}
                loadingLabel="Loading your products…"
                isEmpty={(page) => page.items.length === 0}
                empty={
                  <NothingYet title="No products yet">
                    Create your first product below, then set up your domain so your customers can buy it.
                  </NothingYet>
                }
              >
                {() => (
                  <ProductsTable
                    products={pages.items}
                    basePath="/credits/reseller/products"
                    moreToLoad={pages.hasMore}
                  />
                )}
              </ResourceView>
              <LoadOlder pages={pages} label="Load older products" />
            </SectionCard>
            <SectionCard
              title="Create a product"
              description="Each purchase of it grants its credits to your customer out of your own."
            >
              <NewProduct profile={reseller} onCreated={pages.reload} />
            </SectionCard>
          </Stack>
        </ShopProductsHere>
      )}
    </ResellerFrame>
  );
}
