import { Anchor, Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { CopyValue } from '../../../components/CopyValue';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { csvTime } from '../../../lib/table';
import { StateBadge } from '../components/StateBadge';
import { useOwnProvider } from '../data';
import { formatMoment } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayServer } from '../types';
import { NotAProvider } from './ProviderPage';

/** The provider's servers, each read once per page (and after a change). */
export function useOwnServers() {
  const provider = useOwnProvider();
  const servers = useResource(`gateway-servers:${provider.data?.id ?? 'none'}`, async () =>
    provider.data ? (await call(api.GET('/api/gateway/servers'))).items : [],
  );
  return { provider, servers };
}

/** What a server needs next, in words. */
export function serverNextStep(server: GatewayServer): string {
  if (server.upstream.check_error)
    return `The last check failed: ${server.upstream.check_error}. Re-check it once the upstream answers.`;
  if (server.state === 'paused') return 'Paused: Tally refuses its calls until you activate it.';
  if (server.unpriced_tools > 0) {
    return `${server.unpriced_tools} ${server.unpriced_tools === 1 ? 'tool has' : 'tools have'} no price yet and cannot be called: price them.`;
  }
  return 'Serving calls.';
}

function ServersTable({ servers }: { servers: GatewayServer[] }) {
  const columns: Column<GatewayServer>[] = [
    {
      id: 'name',
      header: 'Server',
      cell: (s) => (
        <Anchor component={Link} to={`/gateway/provider/servers/${s.id}`} size="sm" fw={500}>
          {s.name}
        </Anchor>
      ),
      sortValue: (s) => s.name,
      csv: (s) => s.name,
    },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (s) => <StateBadge state={s.state} />,
      sortValue: (s) => s.state,
      csv: (s) => s.state,
    },
    {
      id: 'endpoint',
      header: 'Endpoint',
      cell: (s) => <CopyValue value={s.endpoint} label={`Endpoint of ${s.name}`} />,
      sortValue: (s) => s.slug,
      csv: (s) => s.endpoint,
    },
    {
      id: 'tools',
      header: 'Tools',
      align: 'right',
      cell: (s) => `${s.tools.length - s.unpriced_tools} priced of ${s.tools.length}`,
      sortValue: (s) => s.tools.length,
      csv: (s) => String(s.tools.length),
    },
    {
      id: 'next',
      header: 'Next step',
      cell: (s) => <Text size="sm">{serverNextStep(s)}</Text>,
    },
    {
      id: 'checked',
      header: 'Checked',
      nowrap: true,
      cell: (s) => formatMoment(s.upstream.checked_at, 'never'),
      sortValue: (s) => s.upstream.checked_at,
      csv: (s) => csvTime(s.upstream.checked_at),
    },
  ];
  return (
    <DataTable
      label="Your servers"
      rows={servers}
      columns={columns}
      rowKey={(s) => s.id}
      searchText={(s) => `${s.name} ${s.slug} ${s.description}`}
      searchLabel="Search servers"
      exportName="gateway-servers"
      minWidth={900}
    />
  );
}

/** /gateway/provider/servers: the provider's MCP servers. */
export function ServersPage() {
  const { provider, servers } = useOwnServers();
  return (
    <ProviderFrame
      title="Your MCP servers"
      description="Each server is reachable through Tally at its own endpoint; its tools can be called once priced."
      actions={
        provider.data && (
          <Button component={Link} to="/gateway/provider/servers/new">
            Register a server
          </Button>
        )
      }
    >
      <ResourceView resource={provider} loadingLabel="Loading your provider profile…">
        {(profile) =>
          profile ? (
            <SectionCard title="Servers">
              <ResourceView
                resource={servers}
                loadingLabel="Loading your servers…"
                isEmpty={(items) => items.length === 0}
                empty={
                  <NothingYet
                    title="No server yet"
                    action={
                      <Button component={Link} to="/gateway/provider/servers/new">
                        Register your first server
                      </Button>
                    }
                  >
                    Register the Streamable HTTP URL of an MCP server: Tally opens a session with it and lists
                    its tools.
                  </NothingYet>
                }
              >
                {(items) => (
                  <Stack gap="sm">
                    <ServersTable servers={items} />
                  </Stack>
                )}
              </ResourceView>
            </SectionCard>
          ) : (
            <NotAProvider />
          )
        }
      </ResourceView>
    </ProviderFrame>
  );
}
