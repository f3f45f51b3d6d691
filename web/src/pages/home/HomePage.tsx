import { Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePageTitle } from '../../components/usePageTitle';
import { webLines } from '../../lines';
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

export function HomePage() {
  usePageTitle('Home');
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
          <Text c="dimmed">
            Accounts, organisations, notifications, API keys and wallets (sign in with one, see its balances,
            get test tokens on the development chain) work today. The pages of each line are being built; each
            card says what its line is for.
          </Text>
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
