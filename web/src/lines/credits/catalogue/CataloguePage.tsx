import { Anchor, Button, List, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsCatalogueProduct } from '../../../api/types';
import { appName, useTenant } from '../../../app/tenant';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useSession } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { checkoutSells, paymentLinkPath } from '../format';
import { LoginDetailsForm } from './LoginDetailsForm';
import { ProductCard } from './ProductCard';

function MailboxNote() {
  const status = useResource('mail-status', () => call(api.GET('/api/mail/status')));
  if (!status.data?.mailbox_enabled) {
    return <>They arrive at the email address you give when you buy.</>;
  }
  return (
    <>
      This Tally sends no real mail: the mail with your login details waits in the{' '}
      <Anchor component={Link} to="/mailbox">
        Mailbox
      </Anchor>
      , under the email address you gave when you bought.
    </>
  );
}

function HowBuyingWorks({ signedIn }: { signedIn: boolean }) {
  const name = appName(useTenant());
  return (
    <SectionCard
      title="How buying works"
      description={`Buy a product here with USDC, or on the sales platform; ${name} turns each purchase into an account and credits.`}
    >
      <List type="ordered" spacing="xs">
        <List.Item>
          Buy a product: with its Buy button here, paid in USDC from your wallet with one signature; on the
          sales platform; or ask an administrator to enter your purchase.
        </List.Item>
        <List.Item>
          {name} registers your account under that email address and mails your login details: the address and
          a temporary password. <MailboxNote />
        </List.Item>
        <List.Item>
          Follow the mail's link to{' '}
          <Anchor component={Link} to="/credits/welcome">
            finish setting up
          </Anchor>
          : choose your own password and name your first workspace. The temporary password works only there,
          once.
        </List.Item>
        <List.Item>
          Your credits are on your dashboard and refill at each cycle of your product. Buying another product
          adds its credits to the same account
          {signedIn ? '' : '; if you already have an account, use its address'}.
        </List.Item>
      </List>
    </SectionCard>
  );
}

/**
 * The catalogue of the host the page is served from: on a reseller's domain (pointed at Tally by its
 * CNAME record) the server answers that reseller's shop, even when it has nothing on sale; on
 * Tally's own host, Tally's generic and whitelabel products.
 */
async function loadCatalogue(): Promise<{ items: CreditsCatalogueProduct[] }> {
  return { items: (await call(api.GET('/api/credits/catalogue'))).items };
}

function ManageProductsButton() {
  const { session } = useSession();
  const { profile } = useCredits();
  if (session.status !== 'signed-in') return null;
  const isAdmin = session.user.is_admin;
  if (!isAdmin && profile.data?.type !== 'whitelabel') return null;
  return (
    <Button
      component={Link}
      to={isAdmin ? '/credits/admin/products' : '/credits/reseller'}
      variant="default"
      size="xs"
    >
      Manage products
    </Button>
  );
}

/**
 * Where a product is bought: its payment link, when Tally's checkout sells it (a price in US
 * dollars); otherwise the sales platform, which has no address Tally knows.
 */
export function BuyLink({ product }: { product: CreditsCatalogueProduct }) {
  if (!checkoutSells(product.display_price)) {
    return (
      <Text size="sm" c="dimmed">
        Sold on the sales platform, or entered by an administrator.
      </Text>
    );
  }
  return (
    <Button component={Link} to={paymentLinkPath(product.id)} aria-label={`Buy ${product.name}`} fullWidth>
      Buy
    </Button>
  );
}

/** The products on sale, the same for everyone, signed in or not, with their exact prices. */
function Catalogue() {
  const catalogue = useResource('credits-catalogue', loadCatalogue);
  return (
    <SectionCard
      title="Products on sale"
      description="Buy one with its Buy button, paid in USDC; each brings its credits every cycle and allows its actions."
      actions={<ManageProductsButton />}
    >
      <ResourceView
        resource={catalogue}
        loadingLabel="Loading the products…"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <NothingYet title="Nothing on sale yet">
            Products appear here as soon as they are on sale.
          </NothingYet>
        }
      >
        {(data) => (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
            {data.items.map((product) => (
              <ProductCard key={product.id} product={product} footer={<BuyLink product={product} />} />
            ))}
          </SimpleGrid>
        )}
      </ResourceView>
    </SectionCard>
  );
}

/** /credits/products: what is sold, how buying works, and where login details arrive. */
export function CataloguePage() {
  const { session } = useSession();
  const name = appName(useTenant());
  const signedIn = session.status === 'signed-in';
  return (
    <>
      <PageHeader
        title="Buy credits"
        description="Credits come with products: each brings credits every cycle and allows a set of actions."
      />
      <CreditsTabs />
      <Stack gap="lg">
        <HowBuyingWorks signedIn={signedIn} />
        <Catalogue />
        {!signedIn && (
          <SectionCard
            title="Bought a product?"
            description={`Your login details are in the mail ${name} sent after the purchase.`}
          >
            <Stack gap="md">
              <Text size="sm">
                <MailboxNote /> Its link opens the page where you choose your password.
              </Text>
              <div>
                <Button component={Link} to="/credits/welcome">
                  Finish setting up my account
                </Button>
              </div>
              <Text size="sm" fw={500}>
                No mail, or its temporary password expired?
              </Text>
              <LoginDetailsForm />
            </Stack>
          </SectionCard>
        )}
      </Stack>
    </>
  );
}
