import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonBody, jsonResponse } from '../http';
import { pageJson, pageQuery, pageSchema } from '../paging';
import { NOTIFICATION_TYPE_NAME } from './registry';
import { notificationChannels } from './schema';
import {
  countUnreadNotifications,
  getNotificationSettings,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  type Notification,
  type NotificationDeps,
  type NotificationSetting,
  updateNotificationSetting,
} from './service';

/** The signed-in person's notifications and their settings, under /api/notifications. */

const tags = ['Notifications'];

const Channel = z.enum(notificationChannels).openapi({
  description: 'in_app: only in Tally; email: only by mail; both; none: not at all',
});

const NotificationSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');

const SettingSchema = z
  .object({
    type: z.string(),
    label: z.string(),
    channel: Channel,
    default_channel: Channel,
    chosen: z.boolean().openapi({ description: "false while the type's default applies" }),
  })
  .openapi('NotificationSetting');

const notificationJson = (n: Notification) => ({
  id: n.id,
  type: n.type,
  title: n.title,
  body: n.body,
  link: n.link,
  data: n.data,
  created_at: n.createdAt.toISOString(),
  read_at: n.readAt?.toISOString() ?? null,
});

const settingJson = (s: NotificationSetting) => ({
  type: s.type,
  label: s.label,
  channel: s.channel,
  default_channel: s.defaultChannel,
  chosen: s.chosen,
});

export function notificationRoutes(deps: NotificationDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      access: { caller: 'signed-in', scope: 'notifications:read' },
      tags,
      summary: 'Your notifications, newest first',
      request: {
        query: z.object({
          unread: z.enum(['true', 'false']).optional().openapi({ description: 'true: only the unread ones' }),
          ...pageQuery,
        }),
      },
      responses: {
        200: jsonResponse(pageSchema(NotificationSchema), 'A page of notifications'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { unread, cursor, limit } = c.req.valid('query');
      const page = await listNotifications(deps, c.get('actor'), {
        unreadOnly: unread === 'true',
        cursor,
        limit,
      });
      return c.json(pageJson(page, notificationJson), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/unread-count',
      access: { caller: 'signed-in', scope: 'notifications:read' },
      tags,
      summary: 'How many of your notifications are unread',
      responses: {
        200: jsonResponse(z.object({ unread: z.number().int() }), 'The count'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ unread: await countUnreadNotifications(deps, c.get('actor')) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/read-all',
      access: { caller: 'signed-in', scope: 'notifications:write' },
      tags,
      summary: 'Mark all your notifications read',
      responses: {
        200: jsonResponse(z.object({ marked: z.number().int() }), 'How many were marked'),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ marked: await markAllNotificationsRead(deps, c.get('actor')) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/read',
      access: { caller: 'signed-in', scope: 'notifications:write' },
      tags,
      summary: 'Mark one of your notifications read',
      request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: jsonResponse(NotificationSchema, 'The notification'), ...errorResponses },
    }),
    async (c) =>
      c.json(
        notificationJson(await markNotificationRead(deps, c.get('actor'), c.req.valid('param').id)),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      access: { caller: 'signed-in', scope: 'notifications:read' },
      tags,
      summary: 'Where each kind of notification goes for you',
      responses: {
        200: jsonResponse(z.object({ items: z.array(SettingSchema) }), 'Every registered type'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json({ items: (await getNotificationSettings(deps, c.get('actor'))).map(settingJson) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/settings/{type}',
      access: { caller: 'signed-in', scope: 'notifications:write' },
      tags,
      summary: 'Choose where one kind of notification goes for you',
      request: {
        params: z.object({
          type: z
            .string()
            .regex(NOTIFICATION_TYPE_NAME, 'not a notification type')
            .openapi({ param: { name: 'type', in: 'path' }, example: 'coop.order_ready' }),
        }),
        ...jsonBody(z.strictObject({ channel: Channel })),
      },
      responses: { 200: jsonResponse(SettingSchema, 'The setting'), ...errorResponses },
    }),
    async (c) => {
      const setting = await updateNotificationSetting(deps, c.get('actor'), {
        type: c.req.valid('param').type,
        channel: c.req.valid('json').channel,
      });
      return c.json(settingJson(setting), 200);
    },
  );

  return router;
}
