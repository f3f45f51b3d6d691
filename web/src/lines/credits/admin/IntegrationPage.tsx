import { Badge, Stack } from '@mantine/core';
import { useCallback } from 'react';
import { useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsIntegration } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { AdminFrame } from './AdminFrame';
import { DeliveriesTable } from './DeliveriesTable';
import { ObjectHistory } from './ObjectHistory';
import { PurchasesTable } from './PurchasesTable';

export const webhookUrlOf = (id: string) => `${window.location.origin}/api/credits/webhooks/${id}`;

function DeliveryLog({ integrationId }: { integrationId: string }) {
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/integrations/{id}/deliveries', {
          params: { path: { id: integrationId }, query: { cursor, limit: 50 } },
        }),
      ),
    [integrationId],
  );
  const pages = useCursorPages(`credits-integration-deliveries:${integrationId}`, loadPage);
  return (
    <SectionCard
      title="Delivery log"
      description="Every delivery the webhook received, newest first, refused ones included with why."
    >
      <Stack gap="sm">
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the deliveries…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title="No delivery yet">
              Give the platform the webhook address and the signing secret: each delivery appears here.
            </NothingYet>
          }
        >
          {() => <DeliveriesTable deliveries={pages.items} moreToLoad={pages.hasMore} />}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older deliveries" />
      </Stack>
    </SectionCard>
  );
}

function IntegrationPurchases({ integration }: { integration: CreditsIntegration }) {
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/credits/purchases', {
          params: { query: { integration_id: integration.id, cursor, limit: 50 } },
        }),
      ),
    [integration.id],
  );
  const pages = useCursorPages(`credits-integration-purchases:${integration.id}`, loadPage);
  const products = useResource(
    'credits-admin-products-all',
    async () => (await call(api.GET('/api/credits/products', { params: { query: { limit: 200 } } }))).items,
  );
  return (
    <SectionCard title="Purchases" description="The purchases its deliveries made.">
      <Stack gap="sm">
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the purchases…"
          isEmpty={(page) => page.items.length === 0}
          empty={<NothingYet title="No purchase yet">A delivery that is recorded makes one.</NothingYet>}
        >
          {() => (
            <PurchasesTable
              purchases={pages.items}
              products={products.data}
              integrations={[integration]}
              moreToLoad={pages.hasMore}
            />
          )}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older purchases" />
      </Stack>
    </SectionCard>
  );
}

function IntegrationView({ integration }: { integration: CreditsIntegration }) {
  return (
    <AdminFrame
      title={integration.name}
      description="A sales platform that reports purchases by signed webhook."
    >
      <Stack gap="lg">
        <SectionCard title="Integration">
          <Facts
            facts={[
              {
                label: 'State',
                value: (
                  <Badge variant="light" color={integration.active ? 'teal' : 'gray'}>
                    {integration.active ? 'active' : 'deactivated'}
                  </Badge>
                ),
              },
              { label: 'Created', value: formatToTheSecond(integration.created_at) },
              { label: 'Last delivery', value: formatToTheSecond(integration.last_used_at) },
            ]}
          />
          <CopyValue value={webhookUrlOf(integration.id)} label="Webhook address" />
        </SectionCard>
        <DeliveryLog integrationId={integration.id} />
        <IntegrationPurchases integration={integration} />
        <ObjectHistory objectType="credits_integration" objectId={integration.id} />
      </Stack>
    </AdminFrame>
  );
}

/** /credits/admin/integrations/:integrationId: a sales platform, its delivery log and its purchases. */
export function IntegrationPage() {
  usePageTitle('Integration');
  const { integrationId = '' } = useParams();
  const integration = useResource(`credits-integration:${integrationId}`, () =>
    call(api.GET('/api/credits/integrations/{id}', { params: { path: { id: integrationId } } })),
  );
  return (
    <ResourceView resource={integration} loadingLabel="Loading the integration…">
      {(data) => <IntegrationView integration={data} />}
    </ResourceView>
  );
}
