import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { FileDeps } from '../core/files/service';

/** What the streams line's services need. */
export interface StreamsDeps {
  db: Db;
  clock: Clock;
  /** Where plans' card images are kept. */
  files: FileDeps;
}
