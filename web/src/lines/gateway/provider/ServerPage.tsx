import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { checkRequired } from '../../../lib/validators';
import { readablePlaceholder, useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { placeServerErrors, refusalOf } from '../components/serverErrors';
import { formatMoment, formatUsdc, parseUsdc, usdcNumber } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayServer, GatewayServerChange } from '../types';
import { serverNextStep } from './ServersPage';
import {
  checkDescription,
  checkHeaderName,
  checkHeaderValue,
  checkOptionalUrl,
  checkUpstreamUrl,
  serverFieldNames,
} from './serverFields';

/** A price as typed (empty: not callable) in micro-units, null for not callable; or the reason it is refused. */
function readPrice(text: string): { ok: true; micro: string | null } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, micro: null };
  const parsed = parseUsdc(text, { allowZero: true });
  return parsed.ok ? { ok: true, micro: parsed.micro } : parsed;
}

function pricePreview(text: string): string {
  const price = readPrice(text);
  if (!price.ok) return '';
  if (price.micro === null) return 'not callable';
  return price.micro === '0' ? 'free' : `${formatUsdc(price.micro)} per call`;
}

export function PricesForm({
  server,
  onSaved,
}: {
  server: GatewayServer;
  onSaved: (server: GatewayServer) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      prices: server.tools.map((tool) => ({
        name: tool.name,
        price: tool.price === null ? '' : usdcNumber(tool.price),
      })),
    },
    validateInputOnChange: true,
    validate: {
      prices: {
        price: (value) => {
          const price = readPrice(value);
          return price.ok ? null : price.error;
        },
      },
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    setNote(null);
    const changed: Record<string, string | null> = {};
    values.prices.forEach((row, index) => {
      const price = readPrice(row.price);
      if (price.ok && price.micro !== (server.tools[index]?.price ?? null)) changed[row.name] = price.micro;
    });
    if (Object.keys(changed).length === 0) {
      setNote('No price changed: nothing to save.');
      return;
    }
    try {
      const saved = await call(
        api.PUT('/api/gateway/servers/{id}/prices', {
          params: { path: { id: server.id } },
          body: { prices: changed },
        }),
      );
      const count = Object.keys(changed).length;
      notifications.show({ color: 'teal', message: `${count} ${count === 1 ? 'price' : 'prices'} saved.` });
      onSaved(saved);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);

  if (server.tools.length === 0) {
    return (
      <NothingYet title="No tool listed">
        The server listed no tools at its last check. Re-check it once it offers some.
      </NothingYet>
    );
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Tool prices">
      <Stack gap="md">
        <Table.ScrollContainer minWidth={620}>
          <Table aria-label="Tools and prices" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tool</Table.Th>
                <Table.Th>Price per call, in USDC</Table.Th>
                <Table.Th>As saved</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {server.tools.map((tool, index) => (
                <Table.Tr key={tool.name}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm" fw={500}>
                        {tool.title ?? tool.name}
                      </Text>
                      {!tool.listed && (
                        <Badge variant="light" color="gray" tt="none" style={{ overflow: 'visible' }}>
                          no longer listed
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {tool.name}
                      {tool.description ? ` — ${tool.description}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={180}>
                    <TextInput
                      aria-label={`Price of ${tool.name}`}
                      inputMode="decimal"
                      autoComplete="off"
                      placeholder="not callable"
                      styles={readablePlaceholder}
                      {...form.getInputProps(`prices.${index}.price`)}
                    />
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {pricePreview(form.values.prices[index]?.price ?? '')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Text size="xs" c="dimmed">
          0 makes a tool free; leave a price empty and the tool cannot be called through Tally. 0.0025 or
          0,0025 is a quarter of a cent.
        </Text>
        <RefusalAlert refusal={refusal} />
        {note && (
          <Text size="sm" role="status">
            {note}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={form.submitting}>
            Save prices
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EditServerForm({
  server,
  onSaved,
}: {
  server: GatewayServer;
  onSaved: (server: GatewayServer) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const initial = {
    name: server.name,
    description: server.description,
    upstream_url: server.upstream_url,
    usage_url: server.usage_url ?? '',
    header_name: '',
    header_value: '',
    remove_header: false,
  };
  const form = useForm({
    mode: 'controlled',
    initialValues: initial,
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the name people see in the catalogue', 100),
      description: checkDescription,
      upstream_url: checkUpstreamUrl,
      usage_url: checkOptionalUrl,
      header_name: checkHeaderName,
      header_value: checkHeaderValue,
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const body: GatewayServerChange = {};
    if (values.name.trim() !== server.name) body.name = values.name.trim();
    if (values.description.trim() !== server.description) body.description = values.description.trim();
    if (values.upstream_url.trim() !== server.upstream_url) body.upstream_url = values.upstream_url.trim();
    if (values.usage_url.trim() !== (server.usage_url ?? ''))
      body.usage_url = values.usage_url.trim() || null;
    if (values.remove_header) body.upstream_header = null;
    else if (values.header_name.trim())
      body.upstream_header = { name: values.header_name.trim(), value: values.header_value };
    if (Object.keys(body).length === 0) {
      setRefusal({ message: 'Nothing changed: nothing to save.' });
      return;
    }
    try {
      const saved = await call(
        api.PATCH('/api/gateway/servers/{id}', { params: { path: { id: server.id } }, body }),
      );
      notifications.show({ color: 'teal', message: `${saved.name} is saved.` });
      onSaved(saved);
    } catch (error) {
      setRefusal(placeServerErrors(form, error, serverFieldNames));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Change the server">
      <Stack gap="md">
        <TextInput label="Name" required {...form.getInputProps('name')} />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxRows={6}
          {...form.getInputProps('description')}
        />
        <TextInput
          label="Upstream URL"
          required
          description="A new URL is checked (an MCP session is opened) before it is saved."
          {...form.getInputProps('upstream_url')}
        />
        <TextInput
          label="Usage URL"
          description="Optional: empty to stop polling it."
          {...form.getInputProps('usage_url')}
        />
        <Text size="sm">
          {server.upstream_header
            ? `Tally sends your server the header ${server.upstream_header.name}; its value is sealed and not shown.`
            : 'Tally sends your server no header of yours.'}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label={server.upstream_header ? 'New header name' : 'Header name'}
            placeholder="Authorization"
            styles={readablePlaceholder}
            disabled={form.values.remove_header}
            {...form.getInputProps('header_name')}
          />
          <PasswordInput
            label={server.upstream_header ? 'New header value' : 'Header value'}
            autoComplete="off"
            disabled={form.values.remove_header}
            {...form.getInputProps('header_value')}
            aria-invalid={Boolean(form.errors.header_value)}
          />
        </SimpleGrid>
        {server.upstream_header && (
          <Checkbox
            label="Send no header any more"
            {...form.getInputProps('remove_header', { type: 'checkbox' })}
          />
        )}
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ServerDetail({
  server,
  onChanged,
}: {
  server: GatewayServer;
  onChanged: (server: GatewayServer) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [checking, setChecking] = useState(false);
  const [activating, setActivating] = useState(false);
  const setState = async (state: 'active' | 'paused') => {
    onChanged(
      await call(
        api.PATCH('/api/gateway/servers/{id}', { params: { path: { id: server.id } }, body: { state } }),
      ),
    );
  };
  const recheck = async () => {
    setRefusal(null);
    setChecking(true);
    try {
      const checked = await call(
        api.POST('/api/gateway/servers/{id}/check', { params: { path: { id: server.id } } }),
      );
      notifications.show({
        color: 'teal',
        message: `${checked.name} answered: ${checked.tools.length} tools listed.`,
      });
      onChanged(checked);
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setChecking(false);
    }
  };
  const activate = async () => {
    setRefusal(null);
    setActivating(true);
    try {
      await setState('active');
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setActivating(false);
    }
  };
  return (
    <Stack gap="lg">
      <SectionCard
        title="State"
        actions={
          <Group gap="xs">
            <Button size="xs" variant="default" loading={checking} onClick={() => void recheck()}>
              Re-check
            </Button>
            {server.state === 'active' ? (
              <ConfirmButton
                label="Pause"
                question={`Pause ${server.name}?`}
                consequence="Tally refuses its calls and opens no new sessions until you activate it again. Calls already served stay paid."
                confirmLabel="Pause server"
                onConfirm={() => setState('paused')}
              />
            ) : (
              <Button size="xs" loading={activating} onClick={() => void activate()}>
                Activate
              </Button>
            )}
          </Group>
        }
      >
        <Group gap="sm">
          <StateBadge state={server.state} />
          <Text size="sm" role="status">
            {serverNextStep(server)}
          </Text>
        </Group>
        <RefusalAlert refusal={refusal} />
        {server.upstream.check_error && (
          <Alert color="red" variant="light" title="The last check failed">
            {server.upstream.check_error}
          </Alert>
        )}
        <Facts
          facts={[
            {
              label: 'Upstream',
              value: server.upstream.name
                ? `${server.upstream.name} ${server.upstream.version ?? ''}`.trim()
                : 'not known yet',
            },
            { label: 'MCP protocol', value: server.upstream.protocol_version ?? 'not known yet' },
            { label: 'Last checked', value: formatMoment(server.upstream.checked_at, 'never') },
            { label: 'Upstream URL', value: server.upstream_url },
            { label: 'Usage URL', value: server.usage_url ?? 'none' },
            { label: 'Registered', value: formatMoment(server.created_at) },
          ]}
        />
      </SectionCard>
      <SectionCard
        title="Endpoint to share"
        description="MCP clients call your server through Tally here, with a session key's bearer token or signed requests."
      >
        <CopyValue value={server.endpoint} label="Endpoint" />
        <Text size="sm">
          {server.state === 'active' && server.unpriced_tools < server.tools.length ? (
            <>
              Listed in the{' '}
              <Anchor component={Link} to={`/gateway/catalogue/${server.slug}`}>
                catalogue
              </Anchor>
              .
            </>
          ) : (
            'Not in the catalogue until it is active and at least one tool has a price.'
          )}
        </Text>
      </SectionCard>
      <SectionCard
        title="Tools and prices"
        description="USDC per call, charged when a call is served; a failed call is refunded."
      >
        <PricesForm key={server.updated_at} server={server} onSaved={onChanged} />
      </SectionCard>
      <SectionCard title="Settings">
        <EditServerForm key={server.updated_at} server={server} onSaved={onChanged} />
      </SectionCard>
    </Stack>
  );
}

/** /gateway/provider/servers/:serverId: one server, its state, endpoint, prices and settings. */
export function ServerPage() {
  const { serverId = '' } = useParams();
  const server = useResource(`gateway-server:${serverId}`, () =>
    call(api.GET('/api/gateway/servers/{id}', { params: { path: { id: serverId } } })),
  );
  return (
    <ProviderFrame
      title={server.data?.name ?? 'MCP server'}
      description={
        <Anchor component={Link} to="/gateway/provider/servers">
          All your servers
        </Anchor>
      }
    >
      <ResourceView resource={server} loadingLabel="Loading the server…">
        {(data) => <ServerDetail server={data} onChanged={server.replace} />}
      </ResourceView>
    </ProviderFrame>
  );
}
