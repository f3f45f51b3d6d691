import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { API_KEY_PREFIX, hashSecret, newSecret } from '../auth/tokens';
import { type Db, queryRows } from '../database';
import { newId } from '../ids';
import type { NotificationChannel } from './registry';
import { type Notifier, type NotifyInput, notify, notifyAll } from './service';

/** A line of the test's own that sends two kinds of notification. */
const notifyingLine = {
  name: 'notify_test',
  label: 'Notifications test',
  notificationTypes: {
    'test.order_ready': { defaultChannel: 'both', label: 'Your order is ready' },
    'test.weekly_digest': { defaultChannel: 'in_app', label: 'Weekly digest' },
  },
} as const;

let tally: TestTally;
let db: Db;
let notifier: Notifier;

beforeAll(async () => {
  tally = await testTally({ lines: [notifyingLine] });
  db = tally.database.db;
  notifier = { clock: tally.clock, types: tally.context.notificationTypes, publicUrl: 'http://tally.test' };
});

const notifyNow = (input: NotifyInput) => db.transaction((tx) => notify(tx, notifier, input));

const orderReady = (person: TestPerson, extra: Partial<NotifyInput> = {}): NotifyInput => ({
  userId: person.userId,
  type: 'test.order_ready',
  title: 'Your order is ready',
  body: 'Pick it up on Friday.',
  link: '/coop/orders/42',
  data: { orderId: 42 },
  ...extra,
});

async function delivered(person: TestPerson) {
  const notifications = await queryRows<{ id: string; title: string }>(
    db,
    sql`SELECT id, title FROM core_notifications WHERE user_id = ${person.userId}`,
  );
  const mails = await queryRows<{ to_address: string; subject: string; text: string; template: string }>(
    db,
    sql`SELECT to_address, subject, text, template FROM core_mail_messages WHERE user_id = ${person.userId}`,
  );
  return { notifications, mails };
}

const auditActions = async (person: TestPerson) =>
  (
    await queryRows<{ action: string }>(
      db,
      sql`SELECT action FROM core_audit_log WHERE actor_user_id = ${person.userId} ORDER BY id`,
    )
  ).map((row) => row.action);

async function choose(person: TestPerson, type: string, channel: string): Promise<Response> {
  return request(tally, 'PUT', `/api/notifications/settings/${type}`, { as: person, body: { channel } });
}

describe('notify', () => {
  it.each<[NotificationChannel, { inApp: number; email: number }]>([
    ['none', { inApp: 0, email: 0 }],
    ['email', { inApp: 0, email: 1 }],
    ['in_app', { inApp: 1, email: 0 }],
    ['both', { inApp: 1, email: 1 }],
  ])('follows the person’s choice of %s', async (channel, expected) => {
    const person = await signedInPerson(tally);
    expect((await choose(person, 'test.order_ready', channel)).status).toBe(200);

    const result = await notifyNow(orderReady(person));

    expect(result.channel).toBe(channel);
    const { notifications, mails } = await delivered(person);
    expect(notifications).toHaveLength(expected.inApp);
    expect(mails).toHaveLength(expected.email);
    if (expected.email) {
      expect(mails[0]).toEqual({
        to_address: person.email,
        subject: 'Your order is ready',
        template: 'notification',
        text: expect.stringContaining(
          'Pick it up on Friday.\n\nOpen in Tally: http://tally.test/coop/orders/42',
        ),
      });
    }
  });

  it("uses the type's default without a choice, and both channels for a type nobody registered", async () => {
    const person = await signedInPerson(tally);
    expect(
      (await notifyNow({ userId: person.userId, type: 'test.weekly_digest', title: 'This week' })).channel,
    ).toBe('in_app');
    expect(
      (await notifyNow({ userId: person.userId, type: 'test.unregistered', title: 'Hello' })).channel,
    ).toBe('both');
    const { notifications, mails } = await delivered(person);
    expect(notifications.map((n) => n.title).sort()).toEqual(['Hello', 'This week']);
    expect(mails.map((m) => m.subject)).toEqual(['Hello']);
  });

  it('writes nothing when the change that causes it rolls back', async () => {
    const person = await signedInPerson(tally);
    await expect(
      db.transaction(async (tx) => {
        await notify(tx, notifier, orderReady(person));
        throw new Error('the order could not be closed');
      }),
    ).rejects.toThrow();
    expect(await delivered(person)).toEqual({ notifications: [], mails: [] });
  });

  it('notifies each person once per dedupe key', async () => {
    const [ada, bob] = [await signedInPerson(tally), await signedInPerson(tally)];
    const first = await notifyNow(orderReady(ada, { dedupeKey: 'order_ready:42' }));
    const again = await notifyNow(orderReady(ada, { dedupeKey: 'order_ready:42' }));
    await notifyNow(orderReady(bob, { dedupeKey: 'order_ready:42' }));

    expect(first.notificationId).not.toBeNull();
    expect(first.mailId).not.toBeNull();
    expect(again).toEqual({ channel: 'both', notificationId: null, mailId: null });
    for (const person of [ada, bob]) {
      const { notifications, mails } = await delivered(person);
      expect([notifications.length, mails.length]).toEqual([1, 1]);
    }
  });

  it('queues the mail for delivery by the mail job', async () => {
    const person = await signedInPerson(tally);
    const { mailId } = await notifyNow(orderReady(person));
    await tally.jobs.runDue();
    const [mail] = await queryRows<{ state: string }>(
      db,
      sql`SELECT state FROM core_mail_messages WHERE id = ${mailId}`,
    );
    expect(mail?.state).toBe('sent');
  });
});

describe('notifyAll', () => {
  it('notifies many people in one go, each by their own choice, once per dedupe key, in the order given', async () => {
    const people = await Promise.all(Array.from({ length: 5 }, () => signedInPerson(tally)));
    expect((await choose(people[1]!, 'test.order_ready', 'in_app')).status).toBe(200);
    expect((await choose(people[2]!, 'test.order_ready', 'none')).status).toBe(200);
    const inputs = people.map((person, index) =>
      orderReady(person, { title: `Ready, household ${index + 1}`, dedupeKey: 'order_ready:77' }),
    );
    const results = await db.transaction((tx) => notifyAll(tx, notifier, [...inputs, inputs[0]!]));

    expect(results.map((r) => r.channel)).toEqual(['both', 'in_app', 'none', 'both', 'both', 'both']);
    expect(results.map((r) => [r.notificationId !== null, r.mailId !== null])).toEqual([
      [true, true],
      [true, false],
      [false, false],
      [true, true],
      [true, true],
      // The same person and key again in the same list: nothing more.
      [false, false],
    ]);
    for (const [index, person] of people.entries()) {
      const { notifications, mails } = await delivered(person);
      expect(notifications.map((n) => n.title)).toEqual(index === 2 ? [] : [`Ready, household ${index + 1}`]);
      expect(mails.map((m) => m.subject)).toEqual(
        index === 1 || index === 2 ? [] : [`Ready, household ${index + 1}`],
      );
    }
    // Replayed later, the whole event notifies nobody again; the queued mails are delivered by the mail job.
    const replay = await db.transaction((tx) => notifyAll(tx, notifier, inputs));
    expect(replay.every((r) => r.notificationId === null && r.mailId === null)).toBe(true);
    await tally.jobs.runDue();
    const states = await queryRows<{ state: string }>(
      db,
      sql`SELECT state FROM core_mail_messages WHERE id = ANY(${sql.param(results.map((r) => r.mailId).filter((id): id is string => id !== null))}::uuid[])`,
    );
    expect(states.map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
  });

  it('refuses a person who does not exist, writing nothing for anyone', async () => {
    const person = await signedInPerson(tally);
    await expect(
      db.transaction((tx) =>
        notifyAll(tx, notifier, [orderReady(person), { ...orderReady(person), userId: newId() }]),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await delivered(person)).toEqual({ notifications: [], mails: [] });
  });
});

describe('a person’s notifications', () => {
  let ada: TestPerson;
  let bob: TestPerson;
  const adas: string[] = [];
  let bobs: string;

  beforeAll(async () => {
    ada = await signedInPerson(tally);
    bob = await signedInPerson(tally);
    for (const title of ['First', 'Second', 'Third']) {
      const { notificationId } = await notifyNow({ userId: ada.userId, type: 'test.weekly_digest', title });
      if (notificationId) adas.push(notificationId);
    }
    bobs =
      (await notifyNow({ userId: bob.userId, type: 'test.weekly_digest', title: "Bob's" })).notificationId ??
      '';
  });

  const unread = async (person: TestPerson) =>
    (await read(await request(tally, 'GET', '/api/notifications/unread-count', { as: person }))).unread;

  it('lists them newest first and counts the unread', async () => {
    const page = await read(await request(tally, 'GET', '/api/notifications?limit=2', { as: ada }));
    expect(page.items.map((n: { title: string }) => n.title)).toEqual(['Third', 'Second']);
    expect(page.items[0]).toMatchObject({ type: 'test.weekly_digest', read_at: null, data: {} });
    const rest = await read(
      await request(tally, 'GET', `/api/notifications?cursor=${page.next_cursor}`, { as: ada }),
    );
    expect(rest.items.map((n: { title: string }) => n.title)).toEqual(['First']);
    expect(await unread(ada)).toBe(3);
    expect(await unread(bob)).toBe(1);
  });

  it("marks one read, and calls another person's notification not found without touching it", async () => {
    const marked = await request(tally, 'POST', `/api/notifications/${adas[0]}/read`, { as: ada });
    expect(marked.status).toBe(200);
    expect(await read(marked)).toMatchObject({ id: adas[0], read_at: tally.clock.now().toISOString() });
    expect(await unread(ada)).toBe(2);
    const onlyUnread = await read(await request(tally, 'GET', '/api/notifications?unread=true', { as: ada }));
    expect(onlyUnread.items.map((n: { id: string }) => n.id)).toEqual([adas[2], adas[1]]);

    const others = await request(tally, 'POST', `/api/notifications/${bobs}/read`, { as: ada });
    expect(others.status).toBe(404);
    expect((await read(others)).error.code).toBe('not_found');
    expect(await unread(bob)).toBe(1);
    expect(await auditActions(ada)).toEqual(['notification.read']);
  });

  it('marks all read, for that person only', async () => {
    const response = await request(tally, 'POST', '/api/notifications/read-all', { as: ada });
    expect(await read(response)).toEqual({ marked: 2 });
    expect(await unread(ada)).toBe(0);
    expect(await unread(bob)).toBe(1);
    expect(await auditActions(ada)).toEqual(['notification.read', 'notification.read_all']);
  });

  it('lets an API key do what its scopes allow and nothing more', async () => {
    const secret = newSecret(API_KEY_PREFIX);
    await db.execute(sql`
      INSERT INTO core_api_keys (id, user_id, name, prefix, key_hash, scopes, created_at)
      VALUES (${newId()}, ${bob.userId}, 'reader', ${secret.slice(0, 16)}, ${hashSecret(secret)},
        ${sql.param(['notifications:read'])}::text[], ${tally.clock.now()})`);
    const headers = { authorization: `Bearer ${secret}` };

    const listed = await request(tally, 'GET', '/api/notifications', { headers });
    expect((await read(listed)).items.map((n: { id: string }) => n.id)).toEqual([bobs]);
    const refused = await request(tally, 'POST', `/api/notifications/${bobs}/read`, { headers });
    expect(refused.status).toBe(403);
    expect(await unread(bob)).toBe(1);
  });

  it('refuses anyone not signed in', async () => {
    for (const [method, path] of [
      ['GET', '/api/notifications'],
      ['GET', '/api/notifications/unread-count'],
      ['POST', '/api/notifications/read-all'],
      ['GET', '/api/notifications/settings'],
    ] as const) {
      const response = await request(tally, method, path);
      expect(response.status).toBe(401);
      expect((await read(response)).error.code).toBe('unauthorized');
    }
  });
});

describe('notification settings', () => {
  it('lists every registered type with where it goes, and records a change', async () => {
    const person = await signedInPerson(tally);
    const before = await read(await request(tally, 'GET', '/api/notifications/settings', { as: person }));
    expect(before.items).toEqual(
      expect.arrayContaining([
        {
          type: 'test.order_ready',
          label: 'Your order is ready',
          channel: 'both',
          default_channel: 'both',
          chosen: false,
        },
        {
          type: 'test.weekly_digest',
          label: 'Weekly digest',
          channel: 'in_app',
          default_channel: 'in_app',
          chosen: false,
        },
      ]),
    );

    const changed = await choose(person, 'test.weekly_digest', 'none');
    expect(await read(changed)).toEqual({
      type: 'test.weekly_digest',
      label: 'Weekly digest',
      channel: 'none',
      default_channel: 'in_app',
      chosen: true,
    });
    const after = await read(await request(tally, 'GET', '/api/notifications/settings', { as: person }));
    expect(after.items).toContainEqual(
      expect.objectContaining({ type: 'test.weekly_digest', channel: 'none' }),
    );
    const [entry] = await queryRows<{ action: string; object_id: string; details: unknown }>(
      db,
      sql`SELECT action, object_id, details FROM core_audit_log WHERE actor_user_id = ${person.userId}`,
    );
    expect(entry).toEqual({
      action: 'notification_setting.update',
      object_id: 'test.weekly_digest',
      details: { channel: 'none', previous: null },
    });
  });

  it('refuses a bad channel in the one error shape, changing nothing', async () => {
    const person = await signedInPerson(tally);
    expect((await choose(person, 'test.order_ready', 'email')).status).toBe(200);

    const refused = await choose(person, 'test.order_ready', 'carrier_pigeon');

    expect(refused.status).toBe(400);
    const body = await read(refused);
    expect(body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.stringContaining('channel'),
        details: expect.anything(),
      },
    });
    const settings = await read(await request(tally, 'GET', '/api/notifications/settings', { as: person }));
    expect(settings.items).toContainEqual(
      expect.objectContaining({ type: 'test.order_ready', channel: 'email' }),
    );
    expect(await auditActions(person)).toEqual(['notification_setting.update']);
  });

  it('calls a type nobody registered not found', async () => {
    const person = await signedInPerson(tally);
    const response = await choose(person, 'test.unregistered', 'none');
    expect(response.status).toBe(404);
    expect((await read(response)).error.code).toBe('not_found');
    expect(await auditActions(person)).toEqual([]);
  });
});
