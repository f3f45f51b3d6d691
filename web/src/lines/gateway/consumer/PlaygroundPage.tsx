import {
  Alert,
  Anchor,
  Button,
  Code,
  Group,
  Image,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { sentence } from '../../../api/errors';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { LoadingState, NothingYet } from '../../../components/States';
import { StateBadge } from '../components/StateBadge';
import { useCatalogue, useGatewayBalance } from '../data';
import { formatMoment, formatUsdc } from '../format';
import { GatewayFrame } from '../GatewayTabs';
import {
  argumentsSkeleton,
  PLAYGROUND_CAP,
  type PlaygroundTool,
  parseArguments,
  usePlaygroundSession,
} from './playgroundSession';

interface Receipt {
  call_id: string;
  server: string;
  tool: string;
  price: string;
  asset: string;
  balance_after: string;
  served_at: string;
}

interface ContentItem {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri: string; text?: string; mimeType?: string };
}

interface ToolResult {
  tool: string;
  content: ContentItem[];
  structuredContent?: unknown;
  isError: boolean;
  receipt: Receipt | null;
  refunded: boolean;
  tallyError: { code?: string } | null;
}

function toolLabel(tool: PlaygroundTool): string {
  const price = tool.price === null ? 'price unknown' : tool.price === '0' ? 'free' : formatUsdc(tool.price);
  return `${tool.title ?? tool.name} (${tool.name}) — ${price}`;
}

function ContentView({ item, index }: { item: ContentItem; index: number }) {
  if (item.type === 'text') {
    return (
      <Code
        block
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        aria-label={`Result text ${index + 1}`}
      >
        {item.text}
      </Code>
    );
  }
  if (item.type === 'image' && item.data) {
    return (
      <Image
        src={`data:${item.mimeType ?? 'image/png'};base64,${item.data}`}
        alt={`Image ${index + 1} of the result (${item.mimeType ?? 'image'})`}
        maw={320}
        fit="contain"
        style={{
          imageRendering: 'pixelated',
          border: '1px solid var(--mantine-color-gray-3)',
          minHeight: 32,
          minWidth: 32,
        }}
      />
    );
  }
  if (item.type === 'audio' && item.data) {
    return (
      // biome-ignore lint/a11y/useMediaCaption: a tool's audio comes without captions.
      <audio controls src={`data:${item.mimeType ?? 'audio/wav'};base64,${item.data}`} />
    );
  }
  if (item.type === 'resource_link') {
    return (
      <Text size="sm">
        Link to a resource: <Code>{item.name ?? item.uri}</Code> ({item.uri}
        {item.mimeType ? `, ${item.mimeType}` : ''})
      </Text>
    );
  }
  if (item.type === 'resource' && item.resource) {
    return (
      <Stack gap={2}>
        <Text size="sm">Resource {item.resource.uri}</Text>
        {item.resource.text && (
          <Code block style={{ whiteSpace: 'pre-wrap' }}>
            {item.resource.text}
          </Code>
        )}
      </Stack>
    );
  }
  return <Code block>{JSON.stringify(item, null, 2)}</Code>;
}

function ResultView({ result, onRenew }: { result: ToolResult; onRenew: () => void }) {
  const errorText = result.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join(' ');
  return (
    <SectionCard title="Result" description={`Of ${result.tool}.`}>
      {result.isError ? (
        <Alert
          color="red"
          variant="light"
          role="alert"
          title={result.tallyError ? 'Tally did not make the call' : 'The tool answered an error'}
        >
          <Stack gap="xs">
            <Text size="sm">{sentence(errorText || 'The call failed.')}</Text>
            {result.refunded && <Text size="sm">It was refunded: this call cost nothing.</Text>}
            {result.tallyError?.code === 'insufficient_credits' && (
              <Anchor component={Link} to="/gateway/deposit" size="sm">
                Deposit USDC to top up.
              </Anchor>
            )}
            {result.tallyError?.code === 'grant_limit' && (
              <Group>
                <Button size="xs" variant="default" onClick={onRenew}>
                  Start again with a new playground session key
                </Button>
              </Group>
            )}
          </Stack>
        </Alert>
      ) : (
        <Stack gap="sm">
          {result.content.map((item, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: content items have no identity but their place.
            <ContentView key={index} item={item} index={index} />
          ))}
          {result.structuredContent !== undefined && (
            <Stack gap={2}>
              <Text size="xs" fw={700} tt="uppercase" c="dimmed">
                Structured content
              </Text>
              <Code block>{JSON.stringify(result.structuredContent, null, 2)}</Code>
            </Stack>
          )}
        </Stack>
      )}
      {result.receipt && (
        <Stack gap="xs" component="section" aria-label="Receipt">
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            Receipt, signed by Tally
          </Text>
          <Facts
            facts={[
              {
                label: 'Price',
                value:
                  result.receipt.price === '0'
                    ? `free (${formatUsdc('0')})`
                    : formatUsdc(result.receipt.price),
              },
              { label: 'Balance after', value: formatUsdc(result.receipt.balance_after) },
              { label: 'Served', value: formatMoment(result.receipt.served_at) },
              { label: 'Server', value: result.receipt.server },
              { label: 'Tool', value: result.receipt.tool },
              { label: 'Call', value: <CopyValue value={result.receipt.call_id} label="Call id" /> },
            ]}
          />
        </Stack>
      )}
    </SectionCard>
  );
}

function CallForm({
  tools,
  onCall,
}: {
  tools: PlaygroundTool[];
  onCall: (tool: PlaygroundTool, args: Record<string, unknown>) => Promise<void>;
}) {
  const [toolName, setToolName] = useState(tools[0]?.name ?? '');
  const tool = tools.find((t) => t.name === toolName) ?? null;
  const [args, setArgs] = useState(() => (tools[0] ? argumentsSkeleton(tools[0].inputSchema) : '{}'));
  const [busy, setBusy] = useState(false);
  const parsed = parseArguments(args);
  const [tried, setTried] = useState(false);
  return (
    <form
      aria-label="Call a tool"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        if (!tool || !parsed.ok) return;
        setBusy(true);
        void onCall(tool, parsed.value).finally(() => setBusy(false));
      }}
    >
      <Stack gap="md">
        <Select
          label="Tool"
          required
          allowDeselect={false}
          data={tools.map((t) => ({ value: t.name, label: toolLabel(t) }))}
          value={toolName}
          onChange={(name) => {
            const next = tools.find((t) => t.name === name);
            if (!next) return;
            setToolName(next.name);
            setArgs(argumentsSkeleton(next.inputSchema));
          }}
          description={tool?.description}
        />
        <Textarea
          label="Arguments (JSON)"
          autosize
          minRows={3}
          maxRows={14}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={args}
          onChange={(event) => setArgs(event.currentTarget.value)}
          error={!parsed.ok && (tried || args.trim() !== '') ? parsed.error : undefined}
          aria-invalid={!parsed.ok}
        />
        <Group gap="sm">
          <Button type="submit" loading={busy} disabled={!tool}>
            {tool ? `Call ${tool.name}` : 'Call'}
          </Button>
          {tool && (
            <Text size="sm" c="dimmed">
              {tool.price === null
                ? ''
                : tool.price === '0'
                  ? 'This tool is free.'
                  : `Costs ${formatUsdc(tool.price)} when served; refunded if it fails.`}
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function ToolsTable({ tools }: { tools: PlaygroundTool[] }) {
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table aria-label="Tools" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tool</Table.Th>
            <Table.Th>What it does</Table.Th>
            <Table.Th ta="right">Price per call</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tools.map((tool) => (
            <Table.Tr key={tool.name}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {tool.title ?? tool.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {tool.name}
                </Text>
              </Table.Td>
              <Table.Td>{tool.description}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                {tool.price === null ? '—' : tool.price === '0' ? 'free' : formatUsdc(tool.price)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One server's session: a fresh session key and MCP session, its tools, the last call's result. */
function ServerPlayground({ slug, onRenew }: { slug: string; onRenew: () => void }) {
  const session = usePlaygroundSession(slug);
  const [result, setResult] = useState<ToolResult | null>(null);
  const [callError, setCallError] = useState<string | null>(null);
  const balance = useGatewayBalance();
  const queryClient = useQueryClient();

  const callTool = async (tool: PlaygroundTool, args: Record<string, unknown>) => {
    if (session.status !== 'connected') return;
    setCallError(null);
    try {
      const answer = await session.client.callTool({ name: tool.name, arguments: args });
      const meta = (answer._meta ?? {}) as Record<string, unknown>;
      const receipt = meta['tally/receipt'] as { body?: Receipt } | undefined;
      setResult({
        tool: tool.name,
        content: (answer.content ?? []) as ContentItem[],
        structuredContent: answer.structuredContent,
        isError: Boolean(answer.isError),
        receipt: receipt?.body ?? null,
        refunded: meta['tally/refunded'] === true,
        tallyError: (meta['tally/error'] as { code?: string } | undefined) ?? null,
      });
    } catch (error) {
      setResult(null);
      setCallError(sentence(error instanceof Error ? error.message : String(error)));
    } finally {
      await balance.reload();
      void queryClient.invalidateQueries({ queryKey: ['pages'] });
    }
  };

  return (
    <>
      {session.status === 'connecting' && <LoadingState label="Opening an MCP session…" />}
      {session.status === 'failed' && (
        <Alert color="red" variant="light" role="alert" title="No MCP session">
          <Stack gap="xs">
            <Text size="sm">{sentence(session.error)}</Text>
            <Group>
              <Button size="xs" variant="default" onClick={onRenew}>
                Try again
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {session.status === 'connected' && (
        <SectionCard title="Tools" description="What each call costs, as Tally listed it for this session.">
          {session.tools.length === 0 ? (
            <NothingYet title="No tool to call">This server has no priced tool now.</NothingYet>
          ) : (
            <Stack gap="lg">
              <ToolsTable tools={session.tools} />
              <CallForm tools={session.tools} onCall={callTool} />
            </Stack>
          )}
        </SectionCard>
      )}
      {callError && (
        <Alert color="red" variant="light" role="alert" title="The call failed">
          {callError}
        </Alert>
      )}
      {result && <ResultView result={result} onRenew={onRenew} />}
    </>
  );
}

function Playground({ slugs }: { slugs: { value: string; label: string; endpoint: string }[] }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('server');
  const slug = slugs.some((s) => s.value === requested) ? requested : (slugs[0]?.value ?? null);
  const balance = useGatewayBalance();
  // Starting over is a new session with a new session key.
  const [round, setRound] = useState(0);

  return (
    <Stack gap="lg">
      <SectionCard
        title="Server"
        actions={
          <Button component={Link} to="/gateway/deposit" size="xs" variant="default">
            Top up
          </Button>
        }
      >
        <Group align="flex-end" gap="md">
          <Select
            label="Server"
            w={300}
            allowDeselect={false}
            data={slugs}
            value={slug}
            onChange={(value) => value && setSearchParams({ server: value })}
          />
          <Stack gap={2}>
            <Text size="xs" fw={700} tt="uppercase" c="dimmed">
              Your balance
            </Text>
            <Group gap="xs">
              <Text fw={600} data-testid="playground-balance">
                {balance.data ? formatUsdc(balance.data.available) : '…'}
              </Text>
              {balance.data && <StateBadge state={balance.data.state} />}
            </Group>
          </Stack>
        </Group>
        {slug && <CopyValue value={slugs.find((s) => s.value === slug)?.endpoint ?? ''} label="Endpoint" />}
        <Text size="xs" c="dimmed">
          The playground calls through Tally as any MCP client does, with a session key of its own: at most{' '}
          {formatUsdc(PLAYGROUND_CAP)}, for one hour, revoked when you leave this page or choose another
          server.
        </Text>
      </SectionCard>
      {slug && (
        <ServerPlayground key={`${slug}:${round}`} slug={slug} onRenew={() => setRound((n) => n + 1)} />
      )}
    </Stack>
  );
}

/** /gateway/playground: pick a server, call one of its tools with JSON arguments, see the result and the receipt. */
export function PlaygroundPage() {
  const catalogue = useCatalogue();
  const slugs = useMemo(
    () =>
      (catalogue.data ?? []).map((server) => ({
        value: server.slug,
        label: server.name,
        endpoint: server.endpoint,
      })),
    [catalogue.data],
  );
  return (
    <GatewayFrame
      title="Playground"
      description="Try an MCP server's tools before giving a client a session key: each paid call is charged to your credits."
    >
      <ResourceView
        resource={catalogue}
        loadingLabel="Loading the servers…"
        isEmpty={(items) => items.length === 0}
        empty={
          <NothingYet title="No MCP server to try yet">
            Servers appear once a provider registers one and prices its tools.
          </NothingYet>
        }
      >
        {() => <Playground slugs={slugs} />}
      </ResourceView>
    </GatewayFrame>
  );
}
