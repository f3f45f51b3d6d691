import { Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate } from 'react-router';
import { useTenant } from '../../app/tenant';
import { usePageTitle } from '../../components/usePageTitle';
import { isBuilt, webLines } from '../../lines';
import { useSession } from '../../session/SessionContext';
import { EmptyInstallNotice } from './EmptyInstallNotice';
import { ProductLineCard } from './ProductLineCard';

function GetStarted() {
  const { session } = useSession();
  if (session.status === 'signed-in') {
    return (
      <Group>
        <Button component={Link} to="/orgs">
          Your organisations
        </Button>
        <Button component={Link} to="/wallet" variant="default">
          Your wallet
        </Button>
        <Button component={Link} to="/settings/profile" variant="default">
          Your profile
        </Button>
      </Group>
    );
  }
  return (
    <Group>
      <Button component={Link} to="/signup">
        Create an account
      </Button>
      <Button component={Link} to="/login" variant="default">
        Log in
      </Button>
    </Group>
  );
}

/** The names of `lines` as people list them: "Gateway and Credits", "Streams, Coop and Gateway". */
function listed(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What works today and what is still being built, from the lines themselves, so it never goes stale. */
function LinesToday() {
  const built = webLines.filter(isBuilt).map((line) => line.name);
  const coming = webLines.filter((line) => !isBuilt(line)).map((line) => line.name);
  return (
    <Text c="dimmed">
      Accounts, organisations, notifications, API keys and wallets (sign in with one, see its balances, get
      test tokens on the development chain) work today{built.length > 0 && `, and so do ${listed(built)}`}.
      {coming.length > 0 &&
        ` ${listed(coming)} ${coming.length === 1 ? 'is' : 'are'} still being built: ${coming.length === 1 ? 'its card says' : 'their cards say'} what ${coming.length === 1 ? 'it' : 'they'} will do.`}
    </Text>
  );
}

export function HomePage() {
  const tenant = useTenant();
  const { session } = useSession();
  usePageTitle('Home');
  // On a reseller's domain the landing page is its shop; its customers land on their credits.
  if (tenant)
    return <Navigate to={session.status === 'signed-in' ? '/credits' : '/credits/products'} replace />;
  return (
    <Stack gap="xl">
      <Stack gap="sm" maw={720}>
        <Title order={1}>Get paid by the people who use what you make</Title>
        <Text size="lg">
          Tally is one place where producers are paid for what they make — per second, per call, per order or
          per credit — and every amount is kept exact on one ledger.
        </Text>
        <GetStarted />
      </Stack>
      <EmptyInstallNotice />
      <section aria-labelledby="product-lines-title">
        <Stack gap="sm">
          <Title order={2} size="h3" id="product-lines-title">
            Four product lines
          </Title>
          <LinesToday />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {webLines.map((line) => (
              <ProductLineCard key={line.slug} line={line} />
            ))}
          </SimpleGrid>
        </Stack>
      </section>
    </Stack>
  );
}
