import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  Modal,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useCallback, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { components } from '../../../api/schema';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { type Column, DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SecretDialog } from '../../../components/SecretDialog';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { usePolling } from '../../../hooks/usePolling';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { showServerErrors } from '../../../lib/serverErrors';
import { csvTime } from '../../../lib/table';
import { WebhookDeliveryLog } from './WebhookDeliveryLog';
import { eventLabels, eventTypes, eventWords } from './webhookEvents';

type Endpoint = components['schemas']['WebhookEndpoint'];
type EndpointWithSecret = components['schemas']['WebhookEndpointWithSecret'];
/** A URL as a person would type it: checked early; the server still decides (https, a public address). */
function checkUrl(value: string): string | null {
  if (!value.trim()) return 'Enter the address Tally should POST to';
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? null
      : 'Enter an address starting with https://';
  } catch {
    return 'Enter an address starting with https://';
  }
}

function AddEndpointForm({ onCreated }: { onCreated: (made: EndpointWithSecret) => void }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { url: '', events: [...eventTypes] as string[] },
    validateInputOnChange: true,
    validate: {
      url: checkUrl,
      events: (value) => (value.length === 0 ? 'Choose at least one event' : null),
    },
  });
  const submit = form.onSubmit(async ({ url, events }) => {
    setFormError(null);
    try {
      const made = await call(
        api.POST('/api/streams/producer/webhooks', {
          body: { url: url.trim(), events: eventTypes.filter((type) => events.includes(type)) },
        }),
      );
      form.reset();
      onCreated(made);
    } catch (error) {
      setFormError(showServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Add a webhook endpoint">
      <Stack gap="md">
        <TextInput
          label="Endpoint URL"
          description="Where your service receives events: https://, on a public address."
          placeholder="https://example.com/tally/webhooks"
          required
          maw={560}
          {...form.getInputProps('url')}
        />
        <Checkbox.Group
          label="Events"
          description="What this endpoint receives."
          required
          {...form.getInputProps('events')}
        >
          <Stack gap="xs" mt="xs">
            {eventTypes.map((type) => (
              <Checkbox
                key={type}
                value={type}
                label={`${eventLabels[type].label} (${type})`}
                description={eventLabels[type].description}
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Add the endpoint
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** How a receiver checks what Tally sends, next to the secret it checks with. */
function SigningHelp() {
  return (
    <List type="ordered" spacing="xs" size="sm">
      <List.Item>
        Tally POSTs JSON — <Code>id</Code>, <Code>type</Code>, <Code>created_at</Code>, <Code>data</Code> —
        with the headers <Code>Tally-Webhook-Id</Code>, <Code>Tally-Webhook-Timestamp</Code> (unix seconds)
        and <Code>Tally-Webhook-Signature</Code>.
      </List.Item>
      <List.Item>
        Compute the HMAC-SHA256, keyed with this secret (the whole <Code>whsec_…</Code> text), of the
        timestamp, a dot, and the body’s exact bytes; accept the request when a <Code>v1=&lt;hex&gt;</Code> in
        the signature header matches, and refuse timestamps more than 5 minutes old.
      </List.Item>
      <List.Item>
        Answer 2xx within 10 seconds. Anything else is retried for two days; the same{' '}
        <Code>Tally-Webhook-Id</Code> may come twice, so handle each id once.
      </List.Item>
    </List>
  );
}

function RotateDialog({
  endpoint,
  onClose,
  onRotated,
}: {
  endpoint: Endpoint | null;
  onClose: () => void;
  onRotated: (rotated: EndpointWithSecret) => void;
}) {
  const [stopNow, setStopNow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setStopNow(false);
    setError(null);
    onClose();
  };
  const rotate = async () => {
    if (!endpoint) return;
    setBusy(true);
    setError(null);
    try {
      const rotated = await call(
        api.POST('/api/streams/producer/webhooks/{id}/rotate-secret', {
          params: { path: { id: endpoint.id } },
          body: { keep_previous_hours: stopNow ? 0 : 24 },
        }),
      );
      setStopNow(false);
      onRotated(rotated);
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={endpoint !== null} onClose={close} title="Rotate the signing secret?" centered>
      <Stack gap="md">
        <Text size="sm">
          Tally makes a new secret for <Code style={{ wordBreak: 'break-all' }}>{endpoint?.url}</Code> and
          shows it once. The current secret keeps signing beside it for 24 hours, so your service can switch
          without refusing an event.
        </Text>
        <Checkbox
          label="Stop the current secret at once"
          description="After a leak: events are signed with the new secret only, from now on."
          checked={stopNow}
          onChange={(event) => setStopNow(event.currentTarget.checked)}
        />
        <FormErrorAlert message={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button loading={busy} onClick={() => void rotate()}>
            Rotate the secret
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function EndpointsTable({
  endpoints,
  onChanged,
  onTested,
  onRotate,
}: {
  endpoints: Endpoint[];
  onChanged: () => Promise<void>;
  onTested: () => Promise<void>;
  onRotate: (endpoint: Endpoint) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>, after: () => Promise<void>) => {
    setProblem(null);
    try {
      await work();
      await after();
    } catch (thrown) {
      setProblem(asApiError(thrown).message);
    }
  };
  const path = (endpoint: Endpoint) => ({ params: { path: { id: endpoint.id } } });
  const state = (endpoint: Endpoint) => (endpoint.enabled ? 'enabled' : 'disabled');
  const columns: Column<Endpoint>[] = [
    {
      id: 'url',
      header: 'Endpoint',
      cardTitle: true,
      cell: (endpoint) => (
        <Stack gap={2}>
          <Code style={{ wordBreak: 'break-all' }}>{endpoint.url}</Code>
          <Text size="xs" c="dimmed">
            added {formatToTheSecond(endpoint.created_at)}
            {endpoint.previous_secret_expires_at &&
              ` · the previous secret signs too until ${formatToTheSecond(endpoint.previous_secret_expires_at)}`}
          </Text>
        </Stack>
      ),
      sortValue: (endpoint) => endpoint.url,
      csv: (endpoint) => endpoint.url,
    },
    {
      id: 'events',
      header: 'Events',
      cell: (endpoint) => (
        <Group gap={4}>
          {endpoint.events.map((type) => (
            <Badge key={type} variant="outline" color="gray" style={{ overflow: 'visible' }}>
              {eventWords(type)}
            </Badge>
          ))}
        </Group>
      ),
      csv: (endpoint) => endpoint.events.join(' '),
    },
    {
      id: 'enabled',
      header: 'Enabled',
      nowrap: true,
      cell: (endpoint) => (
        <Switch
          checked={endpoint.enabled}
          label={endpoint.enabled ? 'Enabled' : 'Disabled'}
          aria-label={`Enabled: ${endpoint.url}`}
          onChange={(event) => {
            const enabled = event.currentTarget.checked;
            void act(
              () =>
                call(
                  api.PATCH('/api/streams/producer/webhooks/{id}', { ...path(endpoint), body: { enabled } }),
                ),
              onChanged,
            );
          }}
        />
      ),
      sortValue: state,
      csv: state,
    },
    {
      id: 'created',
      header: 'Added',
      csv: (endpoint) => csvTime(endpoint.created_at),
      sortValue: (endpoint) => new Date(endpoint.created_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (endpoint) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          {endpoint.enabled && (
            <Button
              size="xs"
              variant="default"
              aria-label={`Send a test event to ${endpoint.url}`}
              onClick={() =>
                void act(
                  () => call(api.POST('/api/streams/producer/webhooks/{id}/test', path(endpoint))),
                  onTested,
                )
              }
            >
              Send test
            </Button>
          )}
          <Button
            size="xs"
            variant="default"
            aria-label={`Rotate the secret of ${endpoint.url}`}
            onClick={() => onRotate(endpoint)}
          >
            Rotate secret
          </Button>
          <ConfirmButton
            label="Delete"
            aria-label={`Delete ${endpoint.url}`}
            question="Delete this endpoint?"
            consequence={`Tally sends ${endpoint.url} nothing more, and its deliveries and their log go with it.`}
            confirmLabel="Delete the endpoint"
            onConfirm={async () => {
              await call(api.DELETE('/api/streams/producer/webhooks/{id}', path(endpoint)));
              await onChanged();
            }}
          />
        </Group>
      ),
    },
  ];
  return (
    <Stack gap="sm">
      {problem && (
        <Alert color="red" variant="light" role="alert">
          {problem}
        </Alert>
      )}
      <DataTable
        label="Your webhook endpoints"
        rows={endpoints}
        columns={columns}
        rowKey={(endpoint) => endpoint.id}
        initialSort={{ columnId: 'created', direction: 'ascending' }}
        minWidth={760}
      />
    </Stack>
  );
}

/**
 * The producer's webhooks (the issue: "producers get signed webhooks … for subscription created,
 * at risk, closed, resumed, plan changed"): endpoints to add, enable, test, rotate and delete, the
 * secret shown once, and the log of what was sent, followed while something is still being tried.
 */
export function WebhooksSection({ producerId }: { producerId: string }) {
  const endpoints = useResource(
    `streams-webhooks:${producerId}`,
    async () => (await call(api.GET('/api/streams/producer/webhooks'))).items,
  );
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/streams/producer/webhooks/deliveries', { params: { query: { cursor, limit: 50 } } }),
      ),
    [],
  );
  const deliveries = useCursorPages(`streams-webhook-deliveries:${producerId}`, loadPage);
  const [shown, setShown] = useState<{ title: string; secret: string } | null>(null);
  const [rotating, setRotating] = useState<Endpoint | null>(null);
  // Followed closely while an attempt is due within the minute, loosely while retries wait for hours.
  const pending = deliveries.items.filter((delivery) => delivery.state === 'pending');
  const dueSoon = pending.some(
    (delivery) =>
      !delivery.next_attempt_at || new Date(delivery.next_attempt_at).getTime() - Date.now() < 60_000,
  );
  usePolling(deliveries.reload, dueSoon ? 2000 : 30_000, pending.length > 0);
  const changed = async () => {
    await endpoints.reload();
    await deliveries.reload();
  };

  return (
    <SectionCard
      title="Webhooks"
      description="Tally POSTs your subscriptions’ events to your endpoints as they happen, signed with each endpoint’s secret, and tries again for two days until the endpoint answers 2xx."
    >
      <Stack gap="lg">
        <ResourceView
          resource={endpoints}
          loadingLabel="Loading your webhook endpoints…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet title="No webhook endpoint yet">
              Add your service’s address below: it hears of each subscription as it starts, runs low and
              closes.
            </NothingYet>
          }
        >
          {(items) => (
            <EndpointsTable
              endpoints={items}
              onChanged={changed}
              onTested={deliveries.reload}
              onRotate={setRotating}
            />
          )}
        </ResourceView>
        <Stack gap="sm">
          <Title order={3} size="h5">
            Add an endpoint
          </Title>
          <AddEndpointForm
            onCreated={(made) => {
              setShown({ title: `Endpoint ${made.endpoint.url} added`, secret: made.secret });
              void endpoints.reload();
            }}
          />
        </Stack>
        <WebhookDeliveryLog deliveries={deliveries} onRedelivered={deliveries.reload} />
      </Stack>
      <RotateDialog
        endpoint={rotating}
        onClose={() => setRotating(null)}
        onRotated={(rotated) => {
          setRotating(null);
          setShown({ title: `New secret for ${rotated.endpoint.url}`, secret: rotated.secret });
          void endpoints.reload();
        }}
      />
      <SecretDialog
        title={shown?.title ?? ''}
        label="Signing secret"
        secret={shown?.secret ?? null}
        ifLost="rotate the endpoint’s secret to get a new one"
        size="xl"
        onStored={() => setShown(null)}
      >
        <SigningHelp />
      </SecretDialog>
    </SectionCard>
  );
}
