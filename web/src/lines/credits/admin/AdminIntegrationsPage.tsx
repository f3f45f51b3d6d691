import { Badge, Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { CreatedCreditsIntegration, CreditsIntegration } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SecretDialog } from '../../../components/SecretDialog';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useResource } from '../../../hooks/useResource';
import { formatDateTime } from '../../../lib/dates';
import { showServerErrors } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { AdminFrame } from './AdminFrame';
import { WebhookSigningHelp } from './WebhookSigningHelp';

const webhookUrlOf = (id: string) => `${window.location.origin}/api/credits/webhooks/${id}`;

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
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Integrations" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Webhook address</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Last delivery</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {integrations.map((integration) => (
            <Table.Tr key={integration.id}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {integration.name}
                </Text>
                <Text size="xs" c="dimmed">
                  created {formatDateTime(integration.created_at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Code style={{ wordBreak: 'break-all' }}>{webhookUrlOf(integration.id)}</Code>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Badge variant="light" color={integration.active ? 'teal' : 'gray'}>
                  {integration.active ? 'active' : 'deactivated'}
                </Badge>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(integration.last_used_at)}</Table.Td>
              <Table.Td>
                <Group justify="flex-end">
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
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
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
