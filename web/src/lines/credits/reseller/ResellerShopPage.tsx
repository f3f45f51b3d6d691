import { Alert, Anchor, SimpleGrid, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsActionPrice, CreditsCatalogueProduct, CreditsProduct } from '../../../api/types';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useCredits } from '../CreditsLayout';
import { BuyLink } from '../catalogue/CataloguePage';
import { ProductCard } from '../catalogue/ProductCard';
import { actionLabel } from '../format';
import { ResellerFrame, useWhitelabel } from './ResellerFrame';
import { ShopProductsHere } from './ShopOnItsDatabase';

/** A product as the public catalogue lists it: its actions by their labels. */
function asCatalogueProduct(product: CreditsProduct, prices: CreditsActionPrice[] | undefined) {
  return {
    id: product.id,
    type: product.type,
    name: product.name,
    description: product.description,
    credits_per_cycle: product.credits_per_cycle,
    refill_cycle: product.refill_cycle,
    rollover_credits: product.rollover_credits,
    permissions: product.permissions.map((action) => ({ action, label: actionLabel(prices, action) })),
    display_price: product.display_price,
  } satisfies CreditsCatalogueProduct;
}

/**
 * /credits/reseller/shop: the reseller's products on sale, as her customers see them on her domain's
 * catalogue (sorted by name, as the catalogue sorts them), each with its Buy link.
 */
export function ResellerShopPage() {
  const { prices } = useCredits();
  const products = useResource('credits-reseller-shop', async () => {
    const { items } = await call(
      api.GET('/api/credits/products', {
        params: { query: { type: 'under_whitelabel', active: 'true', limit: 200 } },
      }),
    );
    return items.sort((a, b) => a.name.localeCompare(b.name));
  });
  const whitelabel = useWhitelabel();
  const domain = whitelabel.data?.domain;
  return (
    <ResellerFrame
      title="Preview your shop"
      description="Your products on sale, as your customers see them in your catalogue."
    >
      {() => (
        <ShopProductsHere page="/credits/reseller/shop">
          <Stack gap="lg">
            <Alert color="blue" variant="light" role="status">
              {domain && whitelabel.data?.dns_verified_at ? (
                <>
                  Your customers see this at{' '}
                  <Anchor href={`https://${domain}/credits/products`} inherit>
                    {domain}
                  </Anchor>
                  . Each Buy button opens the product's payment link, which works on any address of this
                  Tally.
                </>
              ) : (
                <>
                  Your catalogue is shown on your own domain once it points here:{' '}
                  <Anchor component={Link} to="/credits/reseller/domain" inherit>
                    set up your domain
                  </Anchor>
                  . The Buy buttons work already: share a product's payment link from its page.
                </>
              )}
            </Alert>
            <SectionCard title="Products on sale">
              <ResourceView
                resource={products}
                loadingLabel="Loading your products…"
                isEmpty={(items) => items.length === 0}
                empty={
                  <NothingYet title="Nothing on sale yet">
                    Create a product under Your products: it appears here as your customers will see it.
                  </NothingYet>
                }
              >
                {(items) => (
                  <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
                    {items.map((product) => {
                      const shown = asCatalogueProduct(product, prices.data ?? undefined);
                      return (
                        <ProductCard key={product.id} product={shown} footer={<BuyLink product={shown} />} />
                      );
                    })}
                  </SimpleGrid>
                )}
              </ResourceView>
            </SectionCard>
          </Stack>
        </ShopProductsHere>
      )}
    </ResellerFrame>
  );
}
