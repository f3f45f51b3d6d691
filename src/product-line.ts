import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { AuthorizationHandler } from './chain/authorizations';
import { chainErrors } from './chain/errors';
import type { Watcher } from './chain/follower/follower';
import type { ChainRuntime } from './chain/runtime';
import { chainScopes } from './chain/scopes';
import type { Settlement } from './chain/sender/sender';
import { type OrganizationKind, OrganizationKinds } from './core/access/roles';
import type { Actor } from './core/actor';
import { ApiScopes, coreScopes } from './core/auth/api-keys';
import type { Clock } from './core/clock';
import type { Command } from './core/command';
import type { Db } from './core/database';
import { coreErrorDescriptions, type ErrorDefinitions } from './core/errors';
import type { FileDeps } from './core/files/service';
import type { Flow, FlowRunner } from './core/flows';
import type { Env } from './core/http';
import type { JobRunner } from './core/jobs';
import type { Keyring } from './core/keyring';
import type { Logger } from './core/log';
import { type NotificationTypeDefinition, NotificationTypes } from './core/notifications/registry';
import type { TenantDirectory } from './core/tenants';
import { webhookErrors } from './core/webhooks/errors';
import type { TransferBatcher } from './ledger/batcher';
import { ledgerErrors } from './ledger/errors';

/**
 * The contract between Tally and a product line. A line is one value of this type
 * (`src/<line>/line.ts`); `src/lines.ts` lists them, and the server, the CLI and the registries of
 * kinds, scopes and notification types are all built from that list. Nothing registers itself by
 * being imported.
 *
 * The type lives beside `app.ts` rather than in `core/` because it names the chain's watchers and
 * settlements, and the core never imports the chain.
 */
export interface ProductLine {
  /** Lower case; the line's routes are served under `/api/<name>`. */
  name: string;
  label: string;
  /** API-key scopes of the line's routes, with what each allows (`credits:spend`). */
  scopes?: Readonly<Record<string, string>>;
  /** Kinds of organisation the line adds (a workspace, a household…), with their roles. */
  organizationKinds?: readonly OrganizationKind[];
  /** The codes the line refuses with, each with its status (its `defineErrors` catalogue's definitions). */
  errors?: ErrorDefinitions;
  /** Notification types the line sends, so people can choose where each goes. */
  notificationTypes?: Readonly<Record<string, NotificationTypeDefinition>>;
  /** Idempotent set-up run at every start before anything is served (ledgers, built-in rows). */
  prepare?(context: LineContext): Promise<void>;
  routes?(context: LineContext): OpenAPIHono<Env>;
  /**
   * Paths the line serves outside `/api` (the gateway's `/mcp`), each with its own authentication:
   * the API's sessions, keys and cookie rules do not reach them.
   */
  endpoints?(context: LineContext): Readonly<Record<string, Hono>>;
  /** The line's flows (src/core/flows.ts), which `context.flows` drives and resumes. */
  flows?(context: LineContext): readonly Flow<never>[];
  /** Registers the line's sweeps and queued jobs with `context.jobs`. */
  jobs?(context: LineContext): void;
  /** Chain watchers the follower runs for the line (deposits, stream events). */
  watchers?(context: ChainLineContext): Watcher[];
  /** The flows that settle the treasury's finished transactions of each purpose the line queues. */
  settlements?(context: ChainLineContext): Readonly<Record<string, Flow<Settlement>>>;
  /** Called when the process stops, before the database closes: what the line keeps in memory is written. */
  stop?(context: LineContext): Promise<void>;
  /** What the line does with the EIP-3009 authorizations it took (payments to the treasury). */
  authorizations?(context: ChainLineContext): AuthorizationHandler;
  /**
   * The tenants the line serves on their own domains (the credits line's whitelabel resellers): at
   * most one line has them. The core routes each request by its Host with it (src/core/tenants.ts).
   */
  tenants?(context: LineContext): TenantDirectory;
  /** `tally <name> …` commands of the line's own. */
  commands?: readonly Command[];
  /**
   * Adds the line's share of `tally demo` through its own services, as `actor` (the system).
   * Running it again adds nothing: it finds what an earlier run made. Returns what it made, in words.
   */
  demo?(context: LineContext, actor: Actor): Promise<string[]>;
}

/** What a line's parts are given: the core's services, built once for one Tally. */
export interface LineContext {
  /** The database of the work in progress: a tenant's own inside its requests and jobs, Tally's otherwise. */
  db: Db;
  /**
   * Tally's own database whatever the work in progress: for what only it keeps — tenants and their
   * databases, the chain's records, what moves between Tally and a tenant.
   */
  ownDb: Db;
  /** How many transactions the database really runs side by side: what a line's group commit needs. */
  parallelism: number;
  clock: Clock;
  log: Logger;
  /** Where people reach Tally: links in mails. */
  publicUrl: string;
  jobs: JobRunner;
  /** Drives every line's flows; a request that starts one may `run` it at once. */
  flows: FlowRunner;
  batcher: TransferBatcher;
  /** Uploaded files (an invoice, a KYC document), as `/api/files` keeps them. */
  files: FileDeps;
  /** The installation's keys: what a line seals or signs (src/core/keyring.ts). */
  keys: Keyring;
  /** Whether the line may reach loopback and private addresses for its users (src/core/network.ts). */
  allowPrivateNetwork: boolean;
  /** The chain, when this Tally has one (the server always does; some tests and commands do not). */
  chain?: ChainRuntime;
  kinds: OrganizationKinds;
  notificationTypes: NotificationTypes;
  scopes: ApiScopes;
  errorCodes: ReadonlyMap<string, string>;
}

export interface ChainLineContext extends LineContext {
  chain: ChainRuntime;
}

/** Top-level paths the core serves; a line's endpoint there would hide them. */
const CORE_PATHS = new Set(['/api', '/docs', '/healthz', '/assets']);

/** The registries one Tally builds from its lines. */
export interface LineRegistries {
  kinds: OrganizationKinds;
  notificationTypes: NotificationTypes;
  scopes: ApiScopes;
  /** Every error code a client may meet, the core's and the lines', with what it means. */
  errorCodes: ReadonlyMap<string, string>;
}

const LINE_NAME = /^[a-z][a-z0-9_]{1,30}$/;
/** Paths the core serves under /api; a line of the same name would hide them. */
const CORE_AREAS = new Set([
  'auth',
  'orgs',
  'invitations',
  'audit',
  'mail',
  'notifications',
  'ledger',
  'chain',
  'install',
  'files',
]);

export function buildRegistries(lines: readonly ProductLine[]): LineRegistries {
  const names = new Set<string>();
  for (const line of lines) {
    if (!LINE_NAME.test(line.name)) throw new Error(`product line "${line.name}": name must be lower case`);
    if (CORE_AREAS.has(line.name))
      throw new Error(`product line "${line.name}": the core serves /api/${line.name}`);
    if (names.has(line.name)) throw new Error(`product line "${line.name}" is listed twice`);
    names.add(line.name);
  }
  const errorCodes = new Map<string, string>([
    ...Object.entries(coreErrorDescriptions),
    ...[ledgerErrors, chainErrors, webhookErrors].flatMap((catalogue) =>
      Object.entries(catalogue.definitions).map(([code, { description }]) => [code, description] as const),
    ),
  ]);
  for (const line of lines) {
    for (const [code, { description }] of Object.entries(line.errors ?? {})) {
      if (errorCodes.has(code))
        throw new Error(`product line "${line.name}": error code "${code}" is declared twice`);
      errorCodes.set(code, description);
    }
  }
  return {
    errorCodes,
    kinds: new OrganizationKinds(lines.flatMap((line) => line.organizationKinds ?? [])),
    notificationTypes: new NotificationTypes(lines.map((line) => line.notificationTypes ?? {})),
    scopes: new ApiScopes([coreScopes, chainScopes, ...lines.map((line) => line.scopes ?? {})]),
  };
}

/** The line's endpoints, each under a path of its own that neither the core nor another line serves. */
export function endpointsOf(
  lines: readonly ProductLine[],
  context: LineContext,
): { line: string; path: string; app: Hono }[] {
  const taken = new Map<string, string>();
  const endpoints: { line: string; path: string; app: Hono }[] = [];
  for (const line of lines) {
    for (const [path, app] of Object.entries(line.endpoints?.(context) ?? {})) {
      if (!/^\/(\.well-known\/)?[a-z][a-z0-9-]*$/.test(path) || CORE_PATHS.has(path))
        throw new Error(`product line "${line.name}": cannot serve the path "${path}"`);
      const other = taken.get(path);
      if (other) throw new Error(`product lines "${other}" and "${line.name}" both serve "${path}"`);
      taken.set(path, line.name);
      endpoints.push({ line: line.name, path, app });
    }
  }
  return endpoints;
}

/** Every line's settlement flows in one map by purpose; two lines settling one purpose is a mistake. */
export function settlementsOf(
  lines: readonly ProductLine[],
  context: ChainLineContext,
): Map<string, Flow<Settlement>> {
  const settlements = new Map<string, Flow<Settlement>>();
  for (const line of lines) {
    for (const [purpose, flow] of Object.entries(line.settlements?.(context) ?? {})) {
      if (settlements.has(purpose)) throw new Error(`two product lines settle the purpose "${purpose}"`);
      settlements.set(purpose, flow);
    }
  }
  return settlements;
}
