import { Button, Stack, TextInput } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useSession } from '../../../session/SessionContext';
import { useCatalogue } from '../data';
import { GatewayFrame } from '../GatewayTabs';
import { CatalogueServerCard } from './CatalogueServerCard';

/** Every MCP server on offer, searchable: for visitors and signed-in people alike. */
export function CatalogueList() {
  const catalogue = useCatalogue();
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  return (
    <SectionCard
      title="MCP servers"
      description="Each server's tools with their price per call, and from Tally's metering of the last 30 days its calls, success rate, refund rate and median latency. A refunded call costs nothing."
    >
      <ResourceView
        resource={catalogue}
        loadingLabel="Loading the catalogue…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet
            title="No MCP server is on offer yet"
            action={
              <Button component={Link} to="/gateway/provider/servers/new" variant="default">
                Offer a server of your own
              </Button>
            }
          >
            Servers appear here once their provider registers them and prices their tools.
          </NothingYet>
        }
      >
        {(items) => {
          const shown = needle
            ? items.filter((server) =>
                [
                  server.name,
                  server.slug,
                  server.provider,
                  server.description,
                  ...server.tools.map((t) => t.name),
                ]
                  .join(' ')
                  .toLowerCase()
                  .includes(needle),
              )
            : items;
          return (
            <Stack gap="md">
              <TextInput
                label="Search servers and tools"
                type="search"
                value={query}
                onChange={(event) => setQuery(event.currentTarget.value)}
                maw={360}
              />
              {shown.length === 0 && <NothingYet title="No server matches">Try another word.</NothingYet>}
              {shown.map((server) => (
                <CatalogueServerCard key={server.slug} server={server} />
              ))}
            </Stack>
          );
        }}
      </ResourceView>
    </SectionCard>
  );
}

/** /gateway/catalogue: the public catalogue of MCP servers. */
export function CataloguePage({
  title = 'MCP server catalogue',
  intro,
}: {
  title?: string;
  intro?: ReactNode;
}) {
  const { session } = useSession();
  return (
    <GatewayFrame
      title={title}
      description="MCP servers you can call through Tally with prepaid USDC credits. Copy a server's endpoint into your MCP client with a session key."
      actions={
        session.status === 'signed-out' && (
          <Button component={Link} to="/signup">
            Create an account
          </Button>
        )
      }
    >
      <Stack gap="lg">
        {intro}
        <CatalogueList />
      </Stack>
    </GatewayFrame>
  );
}
