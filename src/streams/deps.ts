import type { ChainRuntime } from '../chain/runtime';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { FileDeps } from '../core/files/service';
import type { Keyring } from '../core/keyring';

/** What the streams line's services need. */
export interface StreamsDeps {
  db: Db;
  clock: Clock;
  /** Where plans' card images are kept. */
  files: FileDeps;
  /** Signs entitlements that producers' services check offline. */
  keys: Keyring;
  /** The chain the line's flows run on; none on an installation without one. */
  chain?: ChainRuntime;
  /** Whether producers' webhook endpoints may be on this machine's own network (a developer's machine). */
  allowPrivateNetwork: boolean;
}
