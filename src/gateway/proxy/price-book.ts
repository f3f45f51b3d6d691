import { eq } from 'drizzle-orm';
import type { Db } from '../../core/database';
import { type ServerState, servers, tools } from '../schema';
import { findServerBySlug } from '../servers/service';

/** How long a server's state and prices are used before they are read again. */
export const PRICES_FRESH_MS = 1_000;

interface Reading {
  at: number;
  state: ServerState | null;
  /** Priced tools by name. */
  prices: Map<string, bigint>;
}

/**
 * A server's state and its tools' prices as they were a moment ago, shared by every session on the
 * server: a paid call needs them and should not wait on the database for them. A provider's new
 * price or pause applies to calls within `PRICES_FRESH_MS`.
 */
export class PriceBook {
  private reading: Reading | null = null;
  private pending: Promise<Reading> | null = null;

  constructor(
    private readonly db: Db,
    private readonly serverId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server's state and a tool's price (null: the tool is not offered through Tally). */
  async lookup(tool: string): Promise<{ state: ServerState | null; price: bigint | null }> {
    const reading = await this.current();
    return { state: reading.state, price: reading.prices.get(tool) ?? null };
  }

  /** Every priced tool of the server. */
  async priced(): Promise<ReadonlyMap<string, bigint>> {
    return (await this.current()).prices;
  }

  private current(): Promise<Reading> {
    if (this.reading && this.now() - this.reading.at < PRICES_FRESH_MS) return Promise.resolve(this.reading);
    this.pending ??= this.read().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async read(): Promise<Reading> {
    const at = this.now();
    const rows = await this.db
      .select({ state: servers.state, name: tools.name, price: tools.price })
      .from(servers)
      .leftJoin(tools, eq(tools.serverId, servers.id))
      .where(eq(servers.id, this.serverId));
    const prices = new Map<string, bigint>();
    for (const row of rows) if (row.name !== null && row.price !== null) prices.set(row.name, row.price);
    this.reading = { at, state: rows[0]?.state ?? null, prices };
    return this.reading;
  }
}

type ServerAtPath = Awaited<ReturnType<typeof findServerBySlug>>;

/**
 * What the MCP endpoint reads of servers, a moment old at most and shared by every session: each
 * server's price book, and the server each path names (its upstream, its provider).
 */
export class PriceBooks {
  private readonly books = new Map<string, PriceBook>();
  private readonly paths = new Map<string, { server: ServerAtPath; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** A server changed: its next call reads it again, its path included. */
  forget(serverId: string): void {
    this.books.delete(serverId);
    for (const [slug, known] of this.paths) if (known.server?.id === serverId) this.paths.delete(slug);
  }

  /** The server at `/mcp/<slug>`, or null; a path with none is asked again after the same moment. */
  async serverAt(slug: string): Promise<ServerAtPath> {
    const known = this.paths.get(slug);
    if (known && this.now() - known.at < PRICES_FRESH_MS) return known.server;
    const at = this.now();
    const server = await findServerBySlug(this.db, slug);
    if (this.paths.size > 10_000) this.paths.clear();
    this.paths.set(slug, { server, at });
    return server;
  }

  of(serverId: string): PriceBook {
    let book = this.books.get(serverId);
    if (!book) {
      if (this.books.size > 10_000) this.books.clear();
      book = new PriceBook(this.db, serverId);
      this.books.set(serverId, book);
    }
    return book;
  }
}
