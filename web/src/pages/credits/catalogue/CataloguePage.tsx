import { Anchor, Button, List, SimpleGrid, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsActionPrice, CreditsProduct, CreditsProfile } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useSession } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { LoginDetailsForm } from './LoginDetailsForm';
import { ProductCard } from './ProductCard';

function MailboxNote() {
  const status = useResource('mail-status', () => call(api.GET('/api/mail/status')));
  if (!status.data?.mailbox_enabled) {
    return <>They arrive at the email address you give the sales platform when you buy.</>;
  }
  return (
    <>
      This Tally sends no real mail: the mail with your login details waits in the{' '}
      <Anchor component={Link} to="/mailbox">
        Mailbox
      </Anchor>
      , under the email address you gave the sales platform.
    </>
  );
}

function HowBuyingWorks({ signedIn }: { signedIn: boolean }) {
  return (
    <SectionCard
      title="How buying works"
      description="Products are sold on the sales platform; Tally turns each purchase into an account and credits."
    >
      <List type="ordered" spacing="xs">
        <List.Item>
          Buy a product on the sales platform (or ask an administrator to enter your purchase).
        </List.Item>
        <List.Item>
          Tally registers your account under that email address and mails your login details: the address and
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

function ProductGrid({
  products,
  prices,
}: {
  products: CreditsProduct[];
  prices: CreditsActionPrice[] | undefined;
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg">
      {products.map((product) => (
        <ProductCard key={product.id} product={product} prices={prices} />
      ))}
    </SimpleGrid>
  );
}

/**
 * The products on sale. The API lists products only to the people who manage them (administrators
 * every one, resellers their own), so a customer sees the products they hold instead.
 */
function Catalogue({ profile, isAdmin }: { profile: CreditsProfile; isAdmin: boolean }) {
  const { prices } = useCredits();
  const managesProducts = isAdmin || profile.type === 'whitelabel';
  const products = useResource(`credits-catalogue:${profile.user_id}`, async () =>
    managesProducts
      ? (await call(api.GET('/api/credits/products', { params: { query: { active: 'true', limit: 100 } } })))
          .items
      : [],
  );
  if (!managesProducts) {
    return (
      <SectionCard
        title="Your products"
        description="The products on sale are listed on the sales platform; these are the ones you hold."
      >
        {profile.holdings.length === 0 ? (
          <NothingYet title="You hold no product yet">
            Buy one on the sales platform with {profile.email ?? 'your email address'}; its credits appear on
            your dashboard as soon as the purchase arrives.
          </NothingYet>
        ) : (
          <List spacing="xs">
            {profile.holdings.map((holding) => (
              <List.Item key={holding.id}>
                {holding.product_name} {holding.active ? '' : '(ended)'}
              </List.Item>
            ))}
          </List>
        )}
      </SectionCard>
    );
  }
  const visible = (items: CreditsProduct[]) =>
    isAdmin ? items.filter((product) => product.type !== 'under_whitelabel') : items;
  return (
    <SectionCard
      title={isAdmin ? 'Products on sale' : 'Your products on sale'}
      description={
        isAdmin
          ? 'The active generic and whitelabel products, as buyers see them.'
          : 'Your active under-whitelabel products, as your customers see them.'
      }
      actions={
        <Button
          component={Link}
          to={isAdmin ? '/credits/admin/purchases' : '/credits/reseller'}
          variant="default"
          size="xs"
        >
          {isAdmin ? 'Enter a purchase' : 'Manage your products'}
        </Button>
      }
    >
      <ResourceView
        resource={products}
        loadingLabel="Loading the products…"
        isEmpty={(items) => visible(items).length === 0}
        empty={
          <NothingYet title="Nothing on sale yet">
            {isAdmin ? (
              <>
                Create a product under{' '}
                <Anchor component={Link} to="/credits/admin/products">
                  Admin → Products
                </Anchor>
                .
              </>
            ) : (
              <>
                Create one under{' '}
                <Anchor component={Link} to="/credits/reseller">
                  Reseller
                </Anchor>
                .
              </>
            )}
          </NothingYet>
        }
      >
        {(items) => <ProductGrid products={visible(items)} prices={prices.data ?? undefined} />}
      </ResourceView>
    </SectionCard>
  );
}

/** /credits/products: what is sold, how buying works, and where login details arrive. */
export function CataloguePage() {
  const { session } = useSession();
  const { profile } = useCredits();
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
        {signedIn ? (
          <ResourceView resource={profile} loadingLabel="Loading your products…">
            {(data) => data && <Catalogue profile={data} isAdmin={session.user.is_admin} />}
          </ResourceView>
        ) : (
          <SectionCard
            title="Bought a product?"
            description="Your login details are in the mail Tally sent after the purchase."
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
