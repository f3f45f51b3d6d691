import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './database';

/**
 * Which database a piece of work runs on, when one Tally serves several: its own, and each tenant's
 * that has a database of its own (a whitelabel reseller's). Services keep taking a `Db` and never
 * learn which: the handle they are given is scoped, and answers for the database of the work in
 * progress — the request's tenant's, or the job runner's tenant's — and for Tally's own otherwise.
 * So the same code serves a tenant on the shared database and a tenant on its own.
 */
const scope = new AsyncLocalStorage<Db>();
const targets = new WeakMap<object, Db>();

/** Runs `work`, and everything it awaits, on `db`. */
export function withDatabase<T>(db: Db, work: () => T): T {
  return scope.run(targets.get(db) ?? db, work);
}

/** The database the work in progress was given, or undefined for Tally's own. */
export const currentDatabase = (): Db | undefined => scope.getStore();

/** A handle that is `fallback` except inside `withDatabase`, where it is that database. */
export function scopedDb(fallback: Db): Db {
  const target = targets.get(fallback) ?? fallback;
  const handle = new Proxy(target, {
    get(own, property) {
      const db = scope.getStore() ?? own;
      const value = Reflect.get(db, property, db);
      return typeof value === 'function' ? value.bind(db) : value;
    },
  });
  targets.set(handle, target);
  return handle;
}

/**
 * Where to read what only Tally's own database keeps, from inside a transaction `tx` of the work in
 * progress: `tx` itself when that work is Tally's own (the embedded database has one connection, and
 * a read beside an open transaction would wait on it for ever), Tally's database otherwise.
 */
export const ownDatabaseFrom = (tx: Db, ownDb: Db): Db => (currentDatabase() ? ownDb : tx);
