import { Anchor, Badge, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsPurchaseDetail } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSession } from '../../../session/SessionContext';
import { AdminFrame } from '../admin/AdminFrame';
import { DeliveriesTable } from '../admin/DeliveriesTable';
import { ObjectHistory } from '../admin/ObjectHistory';
import { CreditsTabs } from '../CreditsTabs';
import { formatDisplayPrice, productTypeLabels } from '../format';

type Person = NonNullable<CreditsPurchaseDetail['entered_by']>;

const sourceLabels: Record<CreditsPurchaseDetail['purchase']['source'], string> = {
  webhook: 'A sales platform, by webhook',
  admin: 'Entered by an administrator',
  checkout: "Tally's checkout, paid in USDC from a wallet",
};

/** A person by name, with their address; an administrator follows the link to their page. */
function PersonName({ person, linked }: { person: Person; linked: boolean }) {
  const name = person.name || person.email || 'Someone';
  return (
    <Stack gap={0}>
      {linked ? (
        <Anchor component={Link} to={`/credits/admin/users/${person.id}`} size="sm">
          {name}
        </Anchor>
      ) : (
        <Text size="sm">{name}</Text>
      )}
      {person.email && person.name && (
        <Text size="xs" c="dimmed">
          {person.email}
        </Text>
      )}
    </Stack>
  );
}

function PurchaseFacts({
  detail,
  isAdmin,
  myId,
}: {
  detail: CreditsPurchaseDetail;
  isAdmin: boolean;
  myId: string;
}) {
  const { purchase, product, buyer, integration, entered_by: enteredBy } = detail;
  // The product's page: the administration's, or its reseller's (who is not the buyer).
  const productPath = isAdmin
    ? `/credits/admin/products/${product.id}`
    : product.type === 'under_whitelabel' && buyer.id !== myId
      ? `/credits/reseller/products/${product.id}`
      : null;
  const facts: { label: string; value: ReactNode }[] = [
    {
      label: 'Product',
      value: productPath ? (
        <Anchor component={Link} to={productPath} size="sm">
          {product.name}
        </Anchor>
      ) : (
        product.name
      ),
    },
    { label: 'Buyer', value: <PersonName person={buyer} linked={isAdmin} /> },
    {
      label: 'Paid',
      value: purchase.amount_paid ? formatDisplayPrice(purchase.amount_paid) : 'Not recorded',
    },
    { label: 'Bought through', value: sourceLabels[purchase.source] },
  ];
  if (integration) {
    facts.push({
      label: 'Platform',
      value: isAdmin ? (
        <Anchor component={Link} to={`/credits/admin/integrations/${integration.id}`} size="sm">
          {integration.name}
        </Anchor>
      ) : (
        integration.name
      ),
    });
  }
  if (enteredBy)
    facts.push({ label: 'Entered by', value: <PersonName person={enteredBy} linked={isAdmin} /> });
  facts.push(
    { label: 'When', value: formatToTheSecond(purchase.created_at) },
    {
      label: 'Account',
      value: (
        <Badge variant="light" color={purchase.registered ? 'blue' : 'gray'} style={{ overflow: 'visible' }}>
          {purchase.registered ? 'new account' : 'existing account'}
        </Badge>
      ),
    },
    { label: 'Order reference', value: <CopyValue value={purchase.order_id} label="Order reference" /> },
    { label: 'Purchase id', value: <CopyValue value={purchase.id} label="Purchase id" /> },
  );
  return <Facts facts={facts} />;
}

function PurchaseView({
  detail,
  isAdmin,
  myId,
}: {
  detail: CreditsPurchaseDetail;
  isAdmin: boolean;
  myId: string;
}) {
  const { purchase, product, buyer } = detail;
  const title = `Purchase of ${product.name}`;
  const description = `${productTypeLabels[product.type as keyof typeof productTypeLabels] ?? product.type} product bought by ${buyer.name || buyer.email || 'someone'}, ${formatToTheSecond(purchase.created_at)}.`;
  const body = (
    <Stack gap="lg">
      <SectionCard title="Purchase">
        <PurchaseFacts detail={detail} isAdmin={isAdmin} myId={myId} />
      </SectionCard>
      {isAdmin && detail.integration && (
        <SectionCard
          title="Webhook deliveries"
          description={`Every delivery of order ${purchase.order_id} from ${detail.integration.name}, failures included.`}
        >
          {detail.deliveries.length === 0 ? (
            <NothingYet title="No delivery recorded">
              The purchase came before Tally logged deliveries, or was recorded another way.
            </NothingYet>
          ) : (
            <DeliveriesTable deliveries={detail.deliveries} excerpt />
          )}
        </SectionCard>
      )}
      {isAdmin && <ObjectHistory objectType="credits_purchase" objectId={purchase.id} />}
    </Stack>
  );
  if (isAdmin) {
    return (
      <AdminFrame title={title} description={description}>
        {body}
      </AdminFrame>
    );
  }
  return (
    <>
      <PageHeader title={title} description={description} />
      <CreditsTabs />
      {body}
    </>
  );
}

/** /credits/purchases/:purchaseId: one purchase, for its buyer, its product's reseller and administrators. */
export function PurchasePage() {
  usePageTitle('Purchase');
  const { purchaseId = '' } = useParams();
  const { session } = useSession();
  const detail = useResource(`credits-purchase:${purchaseId}`, () =>
    call(api.GET('/api/credits/purchases/{id}', { params: { path: { id: purchaseId } } })),
  );
  const isAdmin = session.status === 'signed-in' && session.user.is_admin;
  const myId = session.status === 'signed-in' ? session.user.id : '';
  return (
    <ResourceView resource={detail} loadingLabel="Loading the purchase…">
      {(data) => <PurchaseView detail={data} isAdmin={isAdmin} myId={myId} />}
    </ResourceView>
  );
}
