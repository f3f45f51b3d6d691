import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { api, call } from '../../../api/client';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { formatToTheSecond } from '../../../lib/dates';
import { useWhitelabel } from './ResellerFrame';
import { useShopDatabase } from './ShopOnItsDatabase';

type DatabaseState = NonNullable<ReturnType<typeof useShopDatabase>['data']>['state'];

const stateColors: Record<DatabaseState, string> = {
  requested: 'gray',
  created: 'blue',
  migrated: 'blue',
  ready: 'teal',
  failed: 'red',
  retired: 'gray',
};

const stateWords: Record<DatabaseState, string> = {
  requested: 'Asked for: it is being made.',
  created: 'Made: its tables are being set up.',
  migrated: 'Set up: it opens for your shop in a moment.',
  ready: 'Your shop runs on it.',
  failed: 'The last try failed: Tally tries again by itself.',
  retired: 'Retired: your shop moved back to Tally’s database.',
};

/** The states a database passes through while it is being made, which the section follows. */
const beingMade: readonly DatabaseState[] = ['requested', 'created', 'migrated', 'failed'];

/** How often the section asks again while the database is being made. */
const DATABASE_REFRESH_MS = 3000;

/**
 * A shop's own database: asked for once, before the first product; the page follows it until it is
 * ready, then sends the reseller to its domain for its shop's products; its customers show here too.
 */
export function DatabaseSection() {
  const whitelabel = useWhitelabel();
  const database = useShopDatabase({
    everyMs: DATABASE_REFRESH_MS,
    while: (made) => beingMade.includes(made.state),
  });
  const ask = async () => {
    database.replace(await call(api.POST('/api/credits/whitelabel/database')));
  };
  const site = whitelabel.data?.url;
  return (
    <SectionCard
      title="Your shop’s own database"
      description="Your customers, their credits and your shop’s products can live in a database of their own instead of Tally’s."
    >
      <ResourceView resource={database} loadingLabel="Loading your database…">
        {(data) =>
          data ? (
            <Stack gap="xs">
              <Group gap="sm">
                <Badge variant="light" color={stateColors[data.state]}>
                  {data.state}
                </Badge>
                <Text size="sm">{stateWords[data.state]}</Text>
              </Group>
              {data.state === 'failed' && data.next_attempt_at && (
                <Text size="sm" c="dimmed">
                  Next try: {formatToTheSecond(data.next_attempt_at)}.
                </Text>
              )}
              {data.state === 'ready' ? (
                <Text size="sm">
                  Make and change your shop’s products
                  {site ? (
                    <>
                      {' '}
                      on{' '}
                      <Anchor href={site} inherit>
                        {site}
                      </Anchor>
                    </>
                  ) : (
                    ' on your domain'
                  )}
                  , signed in with this account. Its customers, and the credits you move into it (your float),
                  show here too.
                </Text>
              ) : beingMade.includes(data.state) ? (
                <Text size="sm" c="dimmed">
                  Your domain answers “unavailable” until it is ready; this page follows it.
                </Text>
              ) : null}
            </Stack>
          ) : (
            <Stack gap="sm" align="flex-start">
              <Text size="sm">
                Purchases on your domain then commit in your database alone, drawing on credits you move in
                ahead of your sales. Ask before your first product: a shop that has started stays on Tally’s
                database.
              </Text>
              <ConfirmButton
                label="Ask for a database of my own"
                question="Move your shop to a database of its own?"
                consequence="Your customers, their credits and your shop’s products will live in it, and your domain serves from it once it is ready. You manage your shop on your domain from then on."
                confirmLabel="Ask for it"
                variant="default"
                onConfirm={ask}
              />
            </Stack>
          )
        }
      </ResourceView>
    </SectionCard>
  );
}
