import { Anchor, Badge, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { type LoadedState, useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { formatCredits } from '../format';
import { BrandPreview } from './BrandPreview';
import { type CreditsBranding, useBranding } from './ResellerBrandingPage';
import { DatabaseSection } from './ResellerDatabaseSection';
import { ResellerFrame, useWhitelabel } from './ResellerFrame';

type DomainStatus = CreditsBranding['domain_status'];

const statusColors: Record<DomainStatus, string> = {
  pending: 'gray',
  verified: 'blue',
  active: 'teal',
  suspended: 'red',
};

/** What a domain in each state waits for, in words. */
const nextStep: Record<DomainStatus, string> = {
  pending: 'Waiting for its CNAME and TXT records to be found.',
  verified: 'Proven yours; it starts serving your customers shortly.',
  active: 'Serving your customers under your brand.',
  suspended: 'Its records changed: your customers are not served there until they are right again.',
};

/** The reseller's own credits this cycle: held, handed to customers, spent, left. */
export function PoolSection() {
  const pool = useResource('credits-reseller-pool', () => call(api.GET('/api/credits/whitelabel/pool')));
  return (
    <SectionCard
      title="Your credits this cycle"
      description="Every credit your customers get comes out of these: you never hand out more than you hold."
    >
      <ResourceView resource={pool} loadingLabel="Loading your credits…">
        {(data) => (
          <Facts
            facts={[
              { label: 'Held', value: formatCredits(data.total) },
              { label: 'Handed out to customers', value: formatCredits(data.handed_out) },
              { label: 'Moved into your float', value: formatCredits(data.moved_to_float) },
              { label: 'Spent yourself', value: formatCredits(data.spent) },
              { label: 'Reserved', value: formatCredits(data.reserved) },
              { label: 'Left', value: formatCredits(data.available) },
              { label: 'Customers', value: data.customers.toLocaleString('en') },
            ]}
          />
        )}
      </ResourceView>
    </SectionCard>
  );
}

/**
 * A card of the overview for something the reseller sets up on its own page (its domain, its
 * brand): what it is now, or what to do first while it is not set, with the way to that page.
 */
function SetUpCard<T>({
  title,
  page,
  action,
  resource,
  loadingLabel,
  notSet,
  children,
}: {
  title: string;
  page: string;
  action: string;
  resource: LoadedState<T | null>;
  loadingLabel: string;
  notSet: ReactNode;
  children: (data: T) => ReactNode;
}) {
  return (
    <SectionCard
      title={title}
      actions={
        <Button component={Link} to={page} variant="default">
          {action}
        </Button>
      }
    >
      <ResourceView resource={resource} loadingLabel={loadingLabel}>
        {(data) => (data ? children(data) : notSet)}
      </ResourceView>
    </SectionCard>
  );
}

function DomainCard() {
  const whitelabel = useWhitelabel();
  const branding = useBranding();
  const status = branding.data?.domain_status;
  return (
    <SetUpCard
      title="Domain"
      page="/credits/reseller/domain"
      action="Manage the domain"
      resource={whitelabel}
      loadingLabel="Loading your domain…"
      notSet={
        <NothingYet title="No domain yet">
          Your customers buy your products on your own domain.{' '}
          <Anchor component={Link} to="/credits/reseller/domain">
            Set up your domain.
          </Anchor>
        </NothingYet>
      }
    >
      {(data) => (
        <Stack gap="sm">
          <Group gap="sm">
            <Text fw={600}>{data.domain}</Text>
            {status && (
              <Badge variant="light" color={statusColors[status]}>
                {status}
              </Badge>
            )}
          </Group>
          {status && (
            <Text size="sm" c="dimmed">
              {nextStep[status]}
            </Text>
          )}
          <Text size="sm">Last checked: {formatToTheSecond(data.last_checked_at)}</Text>
        </Stack>
      )}
    </SetUpCard>
  );
}

function BrandCard() {
  const branding = useBranding();
  return (
    <SetUpCard
      title="Brand"
      page="/credits/reseller/branding"
      action="Change the brand"
      resource={branding}
      loadingLabel="Loading your brand…"
      notSet={
        <Text size="sm" c="dimmed">
          Your brand comes with your domain: set the domain first.
        </Text>
      }
    >
      {(data) => (
        <BrandPreview
          name={data.name}
          primary={data.primary_color ?? ''}
          accent={data.accent_color ?? ''}
          logoUrl={data.logo_url}
        />
      )}
    </SetUpCard>
  );
}

/** /credits/reseller: the reseller's business at a glance, each part linking to its page. */
export function ResellerOverviewPage() {
  return (
    <ResellerFrame
      title="Your reseller business"
      description="Your domain and brand, your credits, and where to see your products and customers."
    >
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <DomainCard />
          <BrandCard />
        </SimpleGrid>
        <PoolSection />
        <DatabaseSection />
        <Group gap="md">
          <Button component={Link} to="/credits/reseller/customers">
            See your customers and their credits
          </Button>
          <Button component={Link} to="/credits/reseller/products" variant="default">
            See your products
          </Button>
        </Group>
      </Stack>
    </ResellerFrame>
  );
}
