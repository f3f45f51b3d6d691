import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { csvTime } from '../../../lib/table';
import { checkRequired } from '../../../lib/validators';
import { usdcCsv } from '../components/csv';
import { useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { placeServerErrors } from '../components/serverErrors';
import { useCatalogue, useGrants } from '../data';
import { amountPreview, checkUsdc, formatMoment, formatUsdc, parseUsdc } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import type { GatewayCatalogueServer, GatewayGrant } from '../types';

const HOUR_MS = 3600 * 1000;
export const expiryChoices = [
  { value: '1', label: 'In 1 hour' },
  { value: '24', label: 'In 1 day' },
  { value: '168', label: 'In 7 days' },
  { value: '720', label: 'In 30 days' },
  { value: '2160', label: 'In 90 days' },
];

/** What an MCP client (Claude Desktop, Cursor, VS Code…) is given: the endpoint and the bearer header. */
export function mcpClientConfig(servers: { slug: string; endpoint: string }[], token: string): string {
  const entries = Object.fromEntries(
    servers.map((server) => [
      server.slug,
      { type: 'http', url: server.endpoint, headers: { Authorization: `Bearer ${token}` } },
    ]),
  );
  return JSON.stringify({ mcpServers: entries }, null, 2);
}

/** The servers a grant may call, of those on offer. */
const allowedServers = (servers: GatewayCatalogueServer[], allowed: string[] | null | undefined) =>
  allowed ? servers.filter((server) => allowed.includes(server.slug)) : servers;

/**
 * A secret shown once (UI.md): focus starts on Copy, and the dialog closes only through "I have
 * stored it" — not by Esc, a click outside, or a stray Enter.
 */
export function TokenDialog({
  issued,
  servers,
  onClose,
}: {
  issued: { grant: GatewayGrant; token: string } | null;
  servers: GatewayCatalogueServer[];
  onClose: () => void;
}) {
  const config = issued
    ? mcpClientConfig(allowedServers(servers, issued.grant.servers).slice(0, 3), issued.token)
    : '';
  return (
    <Modal
      opened={issued !== null}
      onClose={() => {}}
      title={`Session key “${issued?.grant.label ?? ''}” issued`}
      size="xl"
      closeOnEscape={false}
      closeOnClickOutside={false}
      withCloseButton={false}
    >
      {issued && (
        <Stack gap="md">
          <Alert color="yellow" variant="light" title="Copy it now">
            This is the only time Tally shows this token. Store it in your MCP client; if it is lost, revoke
            this session key and issue a new one.
          </Alert>
          <Text size="sm" fw={500} id="grant-token-label">
            Bearer token
          </Text>
          <Group gap="sm" wrap="nowrap" align="center">
            <Code block aria-labelledby="grant-token-label" style={{ flex: 1, wordBreak: 'break-all' }}>
              {issued.token}
            </Code>
            <CopyButton value={issued.token}>
              {({ copied, copy }) => (
                <Button
                  data-autofocus
                  variant={copied ? 'light' : 'default'}
                  color={copied ? 'teal' : undefined}
                  onClick={copy}
                  aria-label={copied ? 'Token copied' : 'Copy the token'}
                  // Enter on the focused button copies; it never closes the dialog.
                  type="button"
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm">
            It spends at most {formatUsdc(issued.grant.cap)}
            {issued.grant.daily_budget ? `, ${formatUsdc(issued.grant.daily_budget)} in any 24 hours` : ''},
            until {formatMoment(issued.grant.expires_at)}.
          </Text>
          {config && (
            <Stack gap={4}>
              <Text size="sm" fw={500} id="grant-config-label">
                MCP client configuration
              </Text>
              <Code
                block
                aria-labelledby="grant-config-label"
                style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
              >
                {config}
              </Code>
            </Stack>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose} type="button">
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function IssueGrantForm({
  servers,
  onIssued,
}: {
  servers: GatewayCatalogueServer[];
  onIssued: (issued: { grant: GatewayGrant; token: string }) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { label: '', cap: '', daily_budget: '', servers: [] as string[], expires_at: '720' },
    validateInputOnChange: true,
    validate: {
      label: checkRequired('a label, such as the client it is for', 100),
      cap: checkUsdc(),
      daily_budget: (value, values) => {
        if (!value.trim()) return null;
        const budget = parseUsdc(value);
        if (!budget.ok) return budget.error;
        const cap = parseUsdc(values.cap);
        return cap.ok && BigInt(budget.micro) > BigInt(cap.micro)
          ? 'A daily budget above the cap never applies: make it at most the cap'
          : null;
      },
      expires_at: (value) =>
        expiryChoices.some((choice) => choice.value === value) ? null : 'Choose when it expires',
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const cap = parseUsdc(values.cap);
    const budget = values.daily_budget.trim() ? parseUsdc(values.daily_budget) : null;
    if (!cap.ok || (budget && !budget.ok)) return;
    try {
      const issued = await call(
        api.POST('/api/gateway/grants', {
          body: {
            label: values.label.trim(),
            cap: cap.micro,
            ...(budget?.ok ? { daily_budget: budget.micro } : {}),
            ...(values.servers.length > 0 ? { servers: values.servers } : {}),
            expires_at: new Date(Date.now() + Number(values.expires_at) * HOUR_MS).toISOString(),
          },
        }),
      );
      form.reset();
      onIssued(issued);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const capPreview = amountPreview(form.values.cap);
  const budgetPreview = amountPreview(form.values.daily_budget);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Issue a session key">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Label"
            description="Who uses it, such as “Claude Desktop on my laptop”."
            required
            {...form.getInputProps('label')}
          />
          <Select
            label="Expires"
            required
            allowDeselect={false}
            data={expiryChoices}
            {...form.getInputProps('expires_at')}
          />
          <TextInput
            label="Cap"
            required
            inputMode="decimal"
            autoComplete="off"
            description={
              capPreview
                ? `It can spend at most ${capPreview} in all.`
                : 'The most it can ever spend, in USDC.'
            }
            {...form.getInputProps('cap')}
          />
          <TextInput
            label="Daily budget"
            inputMode="decimal"
            autoComplete="off"
            description={
              budgetPreview
                ? `At most ${budgetPreview} in any 24 hours.`
                : 'Optional: the most it spends in any 24 hours.'
            }
            {...form.getInputProps('daily_budget')}
          />
        </SimpleGrid>
        <MultiSelect
          label="Servers"
          description="Optional: the servers it may call; none chosen means every server."
          data={servers.map((server) => ({ value: server.slug, label: server.name }))}
          searchable
          clearable
          {...form.getInputProps('servers')}
        />
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Issue session key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function GrantsTable({
  grants,
  onRevoke,
}: {
  grants: GatewayGrant[];
  onRevoke: (grant: GatewayGrant) => Promise<void>;
}) {
  const columns: Column<GatewayGrant>[] = [
    {
      id: 'label',
      header: 'Label',
      cell: (g) => (
        <Stack gap={0}>
          <Text size="sm" fw={500}>
            {g.label}
          </Text>
          <Text size="xs" c="dimmed">
            {g.kind === 'bearer'
              ? `bearer token ${g.token_prefix ?? ''}…`
              : `session key of ${g.wallet ?? 'a wallet'}`}
          </Text>
        </Stack>
      ),
      sortValue: (g) => g.label,
      csv: (g) => g.label,
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (g) => <StateBadge state={g.state} />,
      sortValue: (g) => g.state,
      csv: (g) => g.state,
    },
    {
      id: 'spent',
      header: 'Committed of cap',
      align: 'right',
      nowrap: true,
      cell: (g) => `${formatUsdc(g.committed)} of ${formatUsdc(g.cap)}`,
      sortValue: (g) => BigInt(g.committed),
      csv: (g) => `${usdcCsv(g.committed)} of ${usdcCsv(g.cap)}`,
    },
    {
      id: 'budget',
      header: 'Daily budget',
      align: 'right',
      nowrap: true,
      cell: (g) => (g.daily_budget ? formatUsdc(g.daily_budget) : 'none'),
      sortValue: (g) => (g.daily_budget ? BigInt(g.daily_budget) : null),
      csv: (g) => (g.daily_budget ? usdcCsv(g.daily_budget) : ''),
    },
    {
      id: 'servers',
      header: 'Servers',
      cell: (g) => (g.servers ? g.servers.join(', ') : 'all'),
      csv: (g) => (g.servers ? g.servers.join(' ') : 'all'),
    },
    {
      id: 'expires',
      header: 'Expires',
      nowrap: true,
      cell: (g) => formatMoment(g.expires_at),
      sortValue: (g) => g.expires_at,
      csv: (g) => csvTime(g.expires_at),
    },
    {
      id: 'used',
      header: 'Last used',
      nowrap: true,
      cell: (g) => formatMoment(g.last_used_at, 'never'),
      sortValue: (g) => g.last_used_at,
      csv: (g) => csvTime(g.last_used_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      cell: (g) =>
        g.state === 'active' ? (
          <ConfirmButton
            label="Revoke"
            aria-label={`Revoke ${g.label}`}
            question={`Revoke “${g.label}”?`}
            consequence="Its next call is refused; calls it made stay in your history. This cannot be undone: issue a new session key instead."
            confirmLabel="Revoke session key"
            onConfirm={() => onRevoke(g)}
          />
        ) : (
          <Text size="xs" c="dimmed">
            {g.state === 'revoked' ? `revoked ${formatMoment(g.revoked_at)}` : 'expired'}
          </Text>
        ),
    },
  ];
  return (
    <DataTable
      label="Session keys"
      rows={grants}
      columns={columns}
      rowKey={(g) => g.id}
      searchText={(g) => `${g.label} ${g.state} ${(g.servers ?? []).join(' ')}`}
      searchLabel="Search session keys"
      exportName="gateway-session-keys"
      minWidth={980}
    />
  );
}

/** /gateway/sessions: session grants as bearer tokens for MCP clients, with their caps; issue and revoke. */
export function SessionKeysPage() {
  const grants = useGrants();
  const catalogue = useCatalogue();
  const [issued, setIssued] = useState<{ grant: GatewayGrant; token: string } | null>(null);
  const revoke = async (grant: GatewayGrant) => {
    await call(api.POST('/api/gateway/grants/{id}/revoke', { params: { path: { id: grant.id } } }));
    await grants.reload();
  };
  const servers = catalogue.data ?? [];
  return (
    <GatewayFrame
      title="Session keys"
      description="A session key lets an MCP client spend your credits without a wallet prompt per call, within the cap, budget and expiry you give it."
    >
      <Stack gap="lg">
        <SectionCard title="Your session keys">
          <ResourceView
            resource={grants}
            loadingLabel="Loading your session keys…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No session key yet">
                Issue one below for each MCP client you use: a small cap and a short expiry limit what a lost
                key can spend.
              </NothingYet>
            }
          >
            {(items) => <GrantsTable grants={items} onRevoke={revoke} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Issue a session key"
          description="Its bearer token is shown once, right after it is issued."
        >
          <IssueGrantForm
            servers={servers}
            onIssued={(value) => {
              setIssued(value);
              void grants.reload();
            }}
          />
        </SectionCard>
        <SectionCard
          title="MCP client configuration"
          description="Each server is a Streamable HTTP MCP endpoint; the session key's token goes in the Authorization header."
        >
          {servers.length === 0 ? (
            <Text size="sm">No MCP server is on offer yet: the configuration appears here once one is.</Text>
          ) : (
            <Code
              block
              aria-label="MCP client configuration"
              style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
            >
              {mcpClientConfig(servers.slice(0, 3), '<your session key token>')}
            </Code>
          )}
        </SectionCard>
      </Stack>
      <TokenDialog issued={issued} servers={servers} onClose={() => setIssued(null)} />
    </GatewayFrame>
  );
}
