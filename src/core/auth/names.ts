import { inArray } from 'drizzle-orm';
import type { Db } from '../database';
import { users } from './schema';

/** A person as pages show them: by name, with their address beside it. */
export interface PersonName {
  name: string;
  email: string | null;
}

/** The people with these ids, by name, in one read: a list or a history shows who, never an id. */
export async function namesOf(db: Db, ids: readonly (string | null)[]): Promise<Map<string, PersonName>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
}
