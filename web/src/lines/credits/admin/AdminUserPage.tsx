import { Anchor, Button, Group, Stack } from '@mantine/core';
import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsProfile } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { Facts } from '../../../components/Facts';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { useCredits } from '../CreditsLayout';
import { HoldingsSection } from '../dashboard/HoldingsSection';
import { actionLabel, formatCredits } from '../format';
import { GrantsTable } from '../grants/GrantsTable';
import { UserTypeBadge } from '../UserTypeBadge';
import { UsageTable } from '../usage/UsageTable';
import { AdjustCreditsForm } from './AdjustCreditsForm';
import { AdminFrame } from './AdminFrame';
import { firstLoginState } from './firstLogin';
import { PurchasesTable } from './PurchasesTable';

function PersonView({ person, onChanged }: { person: CreditsProfile; onChanged: () => void }) {
  const me = useSignedInUser();
  const { prices } = useCredits();
  const userId = person.user_id;
  const grants = useResource(
    `credits-grants:${userId}`,
    async () =>
      (await call(api.GET('/api/credits/grants', { params: { query: { user_id: userId } } }))).items,
  );
  const purchases = useResource(
    `credits-purchases:${userId}`,
    async () =>
      (await call(api.GET('/api/credits/purchases', { params: { query: { user_id: userId, limit: 50 } } })))
        .items,
  );
  const products = useResource(
    'credits-admin-products-all',
    async () => (await call(api.GET('/api/credits/products', { params: { query: { limit: 200 } } }))).items,
  );
  const integrations = useResource(
    'credits-integrations',
    async () => (await call(api.GET('/api/credits/integrations'))).items,
  );
  const loadUsages = useCallback(
    (cursor?: string) =>
      call(api.GET('/api/credits/usages', { params: { query: { user_id: userId, cursor, limit: 20 } } })),
    [userId],
  );
  const usages = useCursorPages(`credits-usages:user:${userId}`, loadUsages);
  const resellerId = person.reseller_user_id;
  const reseller = useResource(`credits-user:${resellerId ?? 'none'}`, async () =>
    resellerId ? call(api.GET('/api/credits/users/{id}', { params: { path: { id: resellerId } } })) : null,
  );
  const isAdmin = person.type === 'admin';
  const afterAdjust = () => {
    onChanged();
    void grants.reload();
    void usages.reload();
  };

  return (
    <AdminFrame
      title={person.name || person.email || 'Person'}
      description={
        <Group gap="xs" component="span">
          <UserTypeBadge type={person.type} />
          <span>{person.email ?? 'signs in with a wallet'}</span>
        </Group>
      }
      actions={
        userId !== me.id && (
          <ConfirmButton
            label={isAdmin ? 'Stop being an administrator' : 'Make administrator'}
            question={
              isAdmin
                ? `Remove ${person.email}'s administrator rights?`
                : `Make ${person.email} an administrator?`
            }
            consequence={
              isAdmin
                ? 'They lose access to every administration page and API.'
                : 'They can manage every product, person, purchase and price, and read the audit log.'
            }
            confirmLabel={isAdmin ? 'Remove rights' : 'Make administrator'}
            size="sm"
            color={isAdmin ? 'red' : 'blue'}
            onConfirm={async () => {
              await call(
                api.PUT('/api/credits/users/{id}/admin', {
                  params: { path: { id: userId } },
                  body: { is_admin: !isAdmin },
                }),
              );
              onChanged();
            }}
          />
        )
      }
    >
      <Stack gap="lg">
        <SectionCard title="Person">
          <Facts
            facts={[
              { label: 'Type', value: <UserTypeBadge type={person.type} /> },
              {
                label: 'Bought from reseller',
                value: person.reseller_user_id ? (
                  <Anchor component={Link} to={`/credits/admin/users/${person.reseller_user_id}`}>
                    {reseller.data?.name || reseller.data?.email || 'their reseller'}
                  </Anchor>
                ) : (
                  'no reseller'
                ),
              },
              { label: 'Set up', value: firstLoginState(person) },
              {
                label: 'May take',
                value:
                  person.permissions.map((p) => actionLabel(prices.data ?? undefined, p)).join(', ') ||
                  'nothing',
              },
            ]}
          />
        </SectionCard>
        <SectionCard title="Balance">
          <Facts
            facts={[
              { label: 'Total', value: formatCredits(person.balance.total) },
              { label: 'Used', value: formatCredits(person.balance.used) },
              { label: 'Reserved', value: formatCredits(person.balance.reserved) },
              { label: 'Available', value: formatCredits(person.balance.available) },
              { label: 'Next refill', value: formatToTheSecond(person.balance.next_refill_at, 'none') },
            ]}
          />
        </SectionCard>
        <SectionCard
          title="Adjust credits"
          description="For compensation, offers or corrections. The reason is kept with the change in the audit log."
        >
          <AdjustCreditsForm userId={userId} available={person.balance.available} onAdjusted={afterAdjust} />
        </SectionCard>
        <SectionCard title="Grants" description="Where the credits come from, in the order they are spent.">
          <ResourceView
            resource={grants}
            loadingLabel="Loading the grants…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No credits left in any grant">
                Purchases, refills and additions appear here.
              </NothingYet>
            }
          >
            {(items) => <GrantsTable grants={items} />}
          </ResourceView>
        </SectionCard>
        {person.holdings.length > 0 && <HoldingsSection holdings={person.holdings} title="Products held" />}
        <SectionCard title="Purchases">
          <ResourceView
            resource={purchases}
            loadingLabel="Loading the purchases…"
            isEmpty={(items) => items.length === 0}
            empty={<NothingYet title="No purchases">Purchases by this person appear here.</NothingYet>}
          >
            {(items) => (
              <PurchasesTable purchases={items} products={products.data} integrations={integrations.data} />
            )}
          </ResourceView>
        </SectionCard>
        <SectionCard title="Usage" description="Credits used, newest first.">
          <Stack gap="sm">
            <ResourceView
              resource={usages.first}
              loadingLabel="Loading the usage…"
              isEmpty={(page) => page.items.length === 0}
              empty={
                <NothingYet title="No credits used yet">
                  Usages appear as this person spends credits.
                </NothingYet>
              }
            >
              {() => (
                <UsageTable
                  usages={usages.items}
                  context={{ prices: prices.data ?? undefined, workspaces: undefined, grants: grants.data }}
                  moreToLoad={usages.hasMore}
                />
              )}
            </ResourceView>
            <LoadOlder pages={usages} label="Load older usages" />
          </Stack>
        </SectionCard>
        <Group>
          <Button component={Link} to="/credits/admin/users" variant="default">
            Back to people
          </Button>
        </Group>
      </Stack>
    </AdminFrame>
  );
}

/** /credits/admin/users/:userId: a person's type, balance, grants, purchases and usage, and adjustments. */
export function AdminUserPage() {
  usePageTitle('Person');
  const { userId = '' } = useParams();
  const person = useResource(`credits-user:${userId}`, () =>
    call(api.GET('/api/credits/users/{id}', { params: { path: { id: userId } } })),
  );
  return (
    <ResourceView resource={person} loadingLabel="Loading the person…">
      {(data) => <PersonView person={data} onChanged={() => void person.reload()} />}
    </ResourceView>
  );
}
