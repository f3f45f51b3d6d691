import type { OrganizationKinds } from '../core/access/roles';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { FileDeps } from '../core/files/service';
import type { JobRunner } from '../core/jobs';
import type { NotificationTypes } from '../core/notifications/registry';

/** What the coop line's services need. */
export interface CoopDeps {
  db: Db;
  clock: Clock;
  /** Where people reach Tally: the club's invite links. */
  publicUrl: string;
  /** The kinds of organisation this Tally serves; a club is one of them. */
  kinds: OrganizationKinds;
  /** Where producers' and products' photos are kept. */
  files: FileDeps;
  /** The notification types people choose channels for; the line's own are among them. */
  notificationTypes: NotificationTypes;
  /** Where an order's deadline and its order sheets are queued. */
  jobs: JobRunner;
}
