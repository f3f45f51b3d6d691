import type { Config } from './config';
import type { Database } from './database';

/**
 * One `tally <name> …` command. Commands live beside what they run (the ledger's in the ledger,
 * a line's in its line); the CLI only finds the one asked for and runs it.
 */
export interface Command {
  name: string;
  /** The lines `tally help` prints for it, each starting with `tally <name>`. */
  usage: string;
  run(args: string[], context: CommandContext): Promise<number>;
}

export interface CommandContext {
  config: Config;
  /** Runs `work` on the configured database, migrated, and closes it afterwards. */
  withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T>;
}

/** A command's way of refusing what it was given: the CLI prints the message and its usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
