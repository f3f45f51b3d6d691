import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors';
import { createRouter } from '../../core/http';
import type { StreamsDeps } from '../deps';
import { planJson } from '../plans/json';
import { getPlan } from '../plans/service';
import { unknownPlanPage, widgetPage } from './card';
import { WIDGET_SCRIPT } from './script';

const tags = ['Streams: widget'];

/**
 * The widget is the one page of Tally that other sites may frame (`frame-ancestors *`); it runs no
 * script, loads only its own image, and submits nothing. A minute's public cache: a plan's change
 * reaches embedding sites soon, and a popular page does not ask the database on every view.
 */
export const widgetHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *",
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'public, max-age=60',
};

const scriptHeaders = {
  'content-type': 'text/javascript; charset=utf-8',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'public, max-age=3600',
};

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

/** A plan's card for other sites: an HTML page to frame, and a script that frames it. */
export function widgetRoutes(deps: StreamsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{id}/widget',
      access: { caller: 'anyone' },
      tags,
      summary:
        'A plan’s card as a page other sites may show in an iframe: its colours, image, price and a Subscribe link to Tally’s checkout',
      request: {
        // Any text: an unknown or malformed id is the same not-found page, not a JSON error in someone's page.
        params: z.object({
          id: z
            .string()
            .max(100)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
      },
      responses: { 200: html('The card'), 404: html('No such plan') },
    }),
    async (c) => {
      try {
        const plan = await getPlan(deps.db, c.req.valid('param').id);
        return c.body(widgetPage(planJson(plan, deps.clock.now())), 200, widgetHeaders);
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found')
          return c.body(unknownPlanPage(), 404, widgetHeaders);
        throw error;
      }
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/widget.js',
      access: { caller: 'anyone' },
      tags,
      summary:
        'The script-tag embed: `<script src="…/api/streams/widget.js" data-plan="<plan id>" async></script>` puts the plan’s card there, in an iframe',
      responses: {
        200: { description: 'The script', content: { 'text/javascript': { schema: z.string() } } },
      },
    }),
    (c) => c.body(WIDGET_SCRIPT, 200, scriptHeaders),
  );

  return router;
}
