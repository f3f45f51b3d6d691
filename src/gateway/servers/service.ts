import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import type { Db } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { assertPublicUrl } from '../../core/network';
import { type GatewayDeps, KEY_PURPOSES } from '../deps';
import { gatewayErrors } from '../errors';
import { type Provider, requireOwnProvider } from '../providers/service';
import { providers, type ServerState, servers, tools } from '../schema';
import { inspectUpstream, type UpstreamInspection, type UpstreamTarget } from './upstream';

export type Server = typeof servers.$inferSelect;
export type ServerTool = typeof tools.$inferSelect;

export interface ServerWithTools extends Server {
  tools: ServerTool[];
}

export interface ServerInput {
  slug: string;
  name: string;
  description?: string;
  upstreamUrl: string;
  /** A header for the upstream; null removes the one set. */
  upstreamHeader?: { name: string; value: string } | null;
  usageUrl?: string | null;
}

/** The upstream a server names, its header opened: what Tally connects with. */
export function upstreamTarget(deps: Pick<GatewayDeps, 'keys'>, server: Server): UpstreamTarget {
  return {
    url: server.upstreamUrl,
    header:
      server.upstreamHeaderName && server.upstreamHeaderSealed
        ? {
            name: server.upstreamHeaderName,
            value: deps.keys.open(KEY_PURPOSES.upstreamHeader, server.upstreamHeaderSealed),
          }
        : null,
  };
}

/**
 * Registers one of the caller's MCP servers: Tally opens a session with it first (`initialize`,
 * `tools/list`) and keeps its tools, unpriced, for the provider to price.
 */
export async function registerServer(
  deps: GatewayDeps,
  actor: Actor,
  input: ServerInput,
  inspect: (target: UpstreamTarget) => Promise<UpstreamInspection> = (target) =>
    inspectUpstream(target, { allowPrivate: deps.allowPrivateNetwork }),
): Promise<ServerWithTools> {
  const provider = await requireOwnProvider(deps.db, actor);
  if (input.usageUrl)
    await assertPublicUrl(input.usageUrl, { allowPrivate: deps.allowPrivateNetwork, field: 'usage_url' });
  const inspection = await inspect({ url: input.upstreamUrl, header: input.upstreamHeader });
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [server] = await tx
      .insert(servers)
      .values({
        id: newId(),
        providerId: provider.id,
        slug: input.slug,
        name: input.name,
        description: input.description ?? '',
        upstreamUrl: input.upstreamUrl,
        ...sealedHeader(deps, input.upstreamHeader),
        usageUrl: input.usageUrl ?? null,
        ...checkedColumns(inspection, now),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: servers.slug })
      .returning();
    if (!server) {
      throw gatewayErrors.error('slug_taken', `another server is reachable at /mcp/${input.slug} already`, {
        field: 'slug',
      });
    }
    await storeTools(tx, server.id, inspection.tools, now);
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.server_registered',
      objectType: 'gateway_server',
      objectId: server.id,
      details: { slug: server.slug, upstream_url: server.upstreamUrl, tools: inspection.tools.length },
    });
    return withTools(tx, server);
  });
}

export interface ServerChanges {
  name?: string;
  description?: string;
  upstreamUrl?: string;
  upstreamHeader?: { name: string; value: string } | null;
  usageUrl?: string | null;
  state?: ServerState;
}

/** Changes one of the caller's servers; a new upstream (or header) is checked before it is kept. */
export async function updateServer(
  deps: GatewayDeps,
  actor: Actor,
  id: string,
  changes: ServerChanges,
): Promise<ServerWithTools> {
  const { server } = await ownServer(deps, actor, id);
  const upstreamChanged = changes.upstreamUrl !== undefined || changes.upstreamHeader !== undefined;
  let inspection: UpstreamInspection | undefined;
  if (upstreamChanged) {
    const current = upstreamTarget(deps, server);
    inspection = await inspectUpstream(
      {
        url: changes.upstreamUrl ?? current.url,
        header: changes.upstreamHeader === undefined ? current.header : changes.upstreamHeader,
      },
      { allowPrivate: deps.allowPrivateNetwork },
    );
  }
  if (changes.usageUrl)
    await assertPublicUrl(changes.usageUrl, { allowPrivate: deps.allowPrivateNetwork, field: 'usage_url' });
  const changed = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [updated] = await tx
      .update(servers)
      .set({
        name: changes.name ?? server.name,
        description: changes.description ?? server.description,
        upstreamUrl: changes.upstreamUrl ?? server.upstreamUrl,
        ...(changes.upstreamHeader === undefined ? {} : sealedHeader(deps, changes.upstreamHeader)),
        usageUrl: changes.usageUrl === undefined ? server.usageUrl : changes.usageUrl,
        state: changes.state ?? server.state,
        ...(inspection ? checkedColumns(inspection, now) : {}),
        updatedAt: now,
      })
      .where(eq(servers.id, server.id))
      .returning();
    if (inspection) await storeTools(tx, server.id, inspection.tools, now);
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.server_updated',
      objectType: 'gateway_server',
      objectId: server.id,
      details: {
        changed: Object.keys(changes).filter((key) => changes[key as keyof ServerChanges] !== undefined),
      },
    });
    return withTools(tx, updated!);
  });
  // Calls through the endpoint see the change now, not when their price book is next read.
  deps.prices.forget(id);
  return changed;
}

/**
 * Opens a session with the upstream again and brings its tools up to date: new tools arrive
 * unpriced, tools it no longer lists are kept (with their price) but marked as gone. A failed check
 * is recorded on the server and answered as `upstream_unreachable`.
 */
export async function checkServer(deps: GatewayDeps, actor: Actor, id: string): Promise<ServerWithTools> {
  const { server } = await ownServer(deps, actor, id);
  let inspection: UpstreamInspection;
  try {
    inspection = await inspectUpstream(upstreamTarget(deps, server), {
      allowPrivate: deps.allowPrivateNetwork,
    });
  } catch (error) {
    if (error instanceof AppError) {
      await deps.db
        .update(servers)
        .set({ checkedAt: deps.clock.now(), checkError: error.message })
        .where(eq(servers.id, server.id));
    }
    throw error;
  }
  const changed = await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [updated] = await tx
      .update(servers)
      .set({ ...checkedColumns(inspection, now), updatedAt: now })
      .where(eq(servers.id, server.id))
      .returning();
    await storeTools(tx, server.id, inspection.tools, now);
    return withTools(tx, updated!);
  });
  // Calls through the endpoint see the change now, not when their price book is next read.
  deps.prices.forget(id);
  return changed;
}

/**
 * Sets tool prices (USDC micro-units per call; 0 is free, null takes the price away so the tool
 * cannot be called). Every tool named must be one the server offers; all change or none.
 */
export async function setToolPrices(
  deps: GatewayDeps,
  actor: Actor,
  id: string,
  prices: Readonly<Record<string, bigint | null>>,
): Promise<ServerWithTools> {
  const { server } = await ownServer(deps, actor, id);
  const changed = await deps.db.transaction(async (tx) => {
    const known = new Set(
      (await tx.select({ name: tools.name }).from(tools).where(eq(tools.serverId, server.id))).map(
        (t) => t.name,
      ),
    );
    const unknown = Object.keys(prices).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw gatewayErrors.error(
        'tool_unknown',
        `the server offers no tool named ${unknown.map((n) => `"${n}"`).join(', ')}`,
        {
          field: 'prices',
          tools: unknown,
        },
      );
    }
    const now = deps.clock.now();
    for (const [name, price] of Object.entries(prices)) {
      await tx
        .update(tools)
        .set({ price, updatedAt: now })
        .where(and(eq(tools.serverId, server.id), eq(tools.name, name)));
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.prices_set',
      objectType: 'gateway_server',
      objectId: server.id,
      details: {
        prices: Object.fromEntries(Object.entries(prices).map(([n, p]) => [n, p?.toString() ?? null])),
      },
    });
    return withTools(tx, server);
  });
  // Calls through the endpoint see the change now, not when their price book is next read.
  deps.prices.forget(id);
  return changed;
}

/** One of the caller's servers (administrators: any), with its tools. */
export async function getServer(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<ServerWithTools> {
  const { server } = await ownServer(deps, actor, id);
  return withTools(deps.db, server);
}

/** The caller's servers, oldest first, with their tools. */
export async function listOwnServers(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
): Promise<ServerWithTools[]> {
  const provider = await requireOwnProvider(deps.db, actor);
  const rows = await deps.db
    .select()
    .from(servers)
    .where(eq(servers.providerId, provider.id))
    .orderBy(asc(servers.createdAt), asc(servers.id));
  return Promise.all(rows.map((server) => withTools(deps.db, server)));
}

/** A server by its path, whoever asks: what `/mcp/<slug>` serves and the catalogue shows. */
export async function findServerBySlug(
  db: Db,
  slug: string,
): Promise<(Server & { provider: Provider }) | null> {
  const [row] = await db
    .select({ server: servers, provider: providers })
    .from(servers)
    .innerJoin(providers, eq(providers.id, servers.providerId))
    .where(eq(servers.slug, slug));
  return row ? { ...row.server, provider: row.provider } : null;
}

async function ownServer(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<{ server: Server }> {
  if (!isUuid(id)) throw notFound('server', { id });
  if (actor.isAdmin) {
    const [server] = await deps.db.select().from(servers).where(eq(servers.id, id));
    if (!server) throw notFound('server', { id });
    return { server };
  }
  const provider = await requireOwnProvider(deps.db, actor);
  const [server] = await deps.db
    .select()
    .from(servers)
    .where(and(eq(servers.id, id), eq(servers.providerId, provider.id)));
  if (!server) throw notFound('server', { id });
  return { server };
}

async function withTools(db: Db, server: Server): Promise<ServerWithTools> {
  const rows = await db.select().from(tools).where(eq(tools.serverId, server.id)).orderBy(asc(tools.name));
  return { ...server, tools: rows };
}

function sealedHeader(deps: Pick<GatewayDeps, 'keys'>, header: ServerInput['upstreamHeader']) {
  return header
    ? {
        upstreamHeaderName: header.name,
        upstreamHeaderSealed: deps.keys.seal(KEY_PURPOSES.upstreamHeader, header.value),
      }
    : { upstreamHeaderName: null, upstreamHeaderSealed: null };
}

const checkedColumns = (inspection: UpstreamInspection, now: Date) => ({
  upstreamName: inspection.name,
  upstreamVersion: inspection.version,
  protocolVersion: inspection.protocolVersion,
  checkedAt: now,
  checkError: null,
});

/** The tools as the upstream lists them now: new ones unpriced, prices kept, missing ones unlisted. */
async function storeTools(tx: Db, serverId: string, listed: readonly Tool[], now: Date): Promise<void> {
  await tx.update(tools).set({ listed: false, updatedAt: now }).where(eq(tools.serverId, serverId));
  for (const tool of listed) {
    const values = {
      title: tool.title ?? tool.annotations?.title ?? null,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
      listed: true,
      updatedAt: now,
    };
    await tx
      .insert(tools)
      .values({ serverId, name: tool.name, ...values })
      .onConflictDoUpdate({ target: [tools.serverId, tools.name], set: values });
  }
}
