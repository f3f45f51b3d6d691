import { Anchor, Badge, Button, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreatedCreditsIntegration, CreditsIntegration, CreditsProduct } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyValue } from '../../../components/CopyValue';
import { type Column, DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SecretDialog } from '../../../components/SecretDialog';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { showServerErrors } from '../../../lib/serverErrors';
import { csvTime } from '../../../lib/table';
import { checkRequired } from '../../../lib/validators';
import { AdminFrame } from './AdminFrame';
import { webhookUrlOf } from './IntegrationPage';
import { WebhookSigningHelp } from './WebhookSigningHelp';

function NewIntegrationModal({
  created,
  onClose,
}: {
  created: CreatedCreditsIntegration | null;
  onClose: () => void;
}) {
  return (
    <SecretDialog
      title={`Integration “${created?.integration.name ?? ''}” created`}
      label="Signing secret"
      secret={created?.secret ?? null}
      ifLost="deactivate this integration and create a new one"
      size="xl"
      onStored={onClose}
    >
      {created && (
        <>
          <Text size="sm" fw={500}>
            Webhook address
          </Text>
          <Code block aria-label="Webhook address" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
            {created.webhook_url}
          </Code>
          <WebhookSigningHelp webhookUrl={created.webhook_url} />
        </>
      )}
    </SecretDialog>
  );
}

function CreateIntegrationForm({ onCreated }: { onCreated: (created: CreatedCreditsIntegration) => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '' },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name, such as the platform it connects') },
  });
  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const created = await call(api.POST('/api/credits/integrations', { body: { name: name.trim() } }));
      form.reset();
      onCreated(created);
    } catch (error) {
      setFormError(showServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Connect a sales platform">
      <Stack gap="md">
        <TextInput
          label="Name"
          description="The platform it connects, such as “Shop (Stripe Checkout)”."
          required
          maw={420}
          {...form.getInputProps('name')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Create integration
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function IntegrationsTable({
  integrations,
  onDeactivate,
}: {
  integrations: CreditsIntegration[];
  onDeactivate: (integration: CreditsIntegration) => Promise<void>;
}) {
  const state = (integration: CreditsIntegration) => (integration.active ? 'active' : 'deactivated');
  const columns: Column<CreditsIntegration>[] = [
    {
      id: 'name',
      header: 'Name',
      cardTitle: true,
      cell: (integration) => (
        <Stack gap={0}>
          <Anchor component={Link} to={`/credits/admin/integrations/${integration.id}`} size="sm" fw={500}>
            {integration.name}
          </Anchor>
          <Text size="xs" c="dimmed">
            created {formatToTheSecond(integration.created_at)}
          </Text>
        </Stack>
      ),
      sortValue: (integration) => integration.name,
      csv: (integration) => integration.name,
    },
    {
      id: 'webhook',
      header: 'Webhook address',
      cell: (integration) => <Code style={{ wordBreak: 'break-all' }}>{webhookUrlOf(integration.id)}</Code>,
      csv: (integration) => webhookUrlOf(integration.id),
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (integration) => (
        <Badge variant="light" color={integration.active ? 'teal' : 'gray'} style={{ overflow: 'visible' }}>
          {state(integration)}
        </Badge>
      ),
      sortValue: state,
      csv: state,
    },
    {
      id: 'last',
      header: 'Last delivery',
      nowrap: true,
      cell: (integration) => formatToTheSecond(integration.last_used_at),
      sortValue: (integration) => (integration.last_used_at ? new Date(integration.last_used_at) : null),
      csv: (integration) => csvTime(integration.last_used_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (integration) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Anchor component={Link} to={`/credits/admin/integrations/${integration.id}`} size="sm">
            Delivery log
          </Anchor>
          {integration.active && (
            <ConfirmButton
              label="Deactivate"
              question={`Deactivate ${integration.name}?`}
              consequence="Its deliveries are refused from now on; purchases already recorded stay. This cannot be undone: connect the platform again with a new integration."
              confirmLabel="Deactivate"
              onConfirm={() => onDeactivate(integration)}
            />
          )}
        </Group>
      ),
    },
  ];
  return (
    <DataTable
      label="Integrations"
      rows={integrations}
      columns={columns}
      rowKey={(integration) => integration.id}
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={760}
    />
  );
}

/** The products a platform's webhook names by id: each with its id to copy. */
function ProductIds() {
  const products = useResource(
    'credits-admin-products-on-sale',
    async () =>
      (await call(api.GET('/api/credits/products', { params: { query: { active: 'true', limit: 200 } } })))
        .items,
  );
  const columns: Column<CreditsProduct>[] = [
    {
      id: 'name',
      header: 'Product',
      cardTitle: true,
      cell: (product) => (
        <Anchor component={Link} to={`/credits/admin/products/${product.id}`} size="sm">
          {product.name}
        </Anchor>
      ),
      sortValue: (product) => product.name,
      csv: (product) => product.name,
    },
    {
      id: 'id',
      header: 'Product id',
      cell: (product) => <CopyValue value={product.id} label={`Product id of ${product.name}`} />,
      csv: (product) => product.id,
    },
  ];
  return (
    <SectionCard
      title="Product ids"
      description="What a platform sends as product_id: the id of the product bought."
    >
      <ResourceView
        resource={products}
        loadingLabel="Loading the products…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet title="No product on sale">
            Make a product under Products first: its id appears here.
          </NothingYet>
        }
      >
        {(items) => (
          <DataTable
            label="Product ids"
            rows={items}
            columns={columns}
            rowKey={(product) => product.id}
            searchLabel="Search products"
            exportName="product-ids"
            initialSort={{ columnId: 'name', direction: 'ascending' }}
            minWidth={560}
          />
        )}
      </ResourceView>
    </SectionCard>
  );
}

/** /credits/admin/integrations: the sales platforms that report purchases by signed webhook. */
export function AdminIntegrationsPage() {
  const integrations = useResource(
    'credits-integrations',
    async () => (await call(api.GET('/api/credits/integrations'))).items,
  );
  const [created, setCreated] = useState<CreatedCreditsIntegration | null>(null);
  const deactivate = async (integration: CreditsIntegration) => {
    await call(
      api.POST('/api/credits/integrations/{id}/deactivate', { params: { path: { id: integration.id } } }),
    );
    await integrations.reload();
  };
  return (
    <AdminFrame
      title="Integrations"
      description="Sales platforms report purchases to Tally by webhook, each signed with its integration's secret."
    >
      <Stack gap="lg">
        <SectionCard title="Connected platforms">
          <ResourceView
            resource={integrations}
            loadingLabel="Loading the integrations…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No platform connected yet">
                Create an integration below, and give its secret and webhook address to the platform.
              </NothingYet>
            }
          >
            {(items) => <IntegrationsTable integrations={items} onDeactivate={deactivate} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Connect a sales platform"
          description="Its signing secret is shown once, right after it is created."
        >
          <CreateIntegrationForm
            onCreated={(value) => {
              setCreated(value);
              void integrations.reload();
            }}
          />
        </SectionCard>
        <ProductIds />
        <SectionCard title="How to sign a webhook">
          <WebhookSigningHelp
            webhookUrl={`${window.location.origin}/api/credits/webhooks/<integration id>`}
          />
        </SectionCard>
      </Stack>
      <NewIntegrationModal created={created} onClose={() => setCreated(null)} />
    </AdminFrame>
  );
}
