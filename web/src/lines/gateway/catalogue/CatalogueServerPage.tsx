import { Anchor, Button, Stack } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { CopyValue } from '../../../components/CopyValue';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { useSession } from '../../../session/SessionContext';
import { GatewayFrame } from '../GatewayTabs';
import { ServerFigures, ToolPrices } from './CatalogueServerCard';
import { X402Offers } from './X402Offers';

/** /gateway/catalogue/:slug: one server of the catalogue, its endpoint, figures, prices and x402 offers. */
export function CatalogueServerPage() {
  const { slug = '' } = useParams();
  const { session } = useSession();
  const server = useResource(`gateway-catalogue:${slug}`, () =>
    call(api.GET('/api/gateway/catalogue/{slug}', { params: { path: { slug } } })),
  );
  return (
    <GatewayFrame
      title={server.data?.name ?? 'MCP server'}
      description={
        server.data ? (
          <>
            By {server.data.provider}.{' '}
            <Anchor component={Link} to="/gateway/catalogue">
              All servers
            </Anchor>
          </>
        ) : undefined
      }
      actions={
        session.status === 'signed-in' && (
          <Button component={Link} to={`/gateway/playground?server=${slug}`} variant="default">
            Try it in the playground
          </Button>
        )
      }
    >
      <ResourceView resource={server} loadingLabel="Loading the server…">
        {(data) => (
          <Stack gap="lg">
            <SectionCard title="Endpoint" description={data.description || undefined}>
              <CopyValue value={data.endpoint} label={`Endpoint of ${data.name}`} />
            </SectionCard>
            <SectionCard title="Last 30 days">
              <ServerFigures server={data} />
            </SectionCard>
            <SectionCard title="Tools and prices">
              <ToolPrices server={data} />
            </SectionCard>
            <X402Offers slug={slug} endpoint={data.endpoint} />
          </Stack>
        )}
      </ResourceView>
    </GatewayFrame>
  );
}
