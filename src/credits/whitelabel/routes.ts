import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { Uuid } from '../fields';
import { WhitelabelSchema, whitelabelJson } from './json';
import {
  checkWhitelabelDns,
  cnameTargetOf,
  getWhitelabel,
  publicAddressProblem,
  setWhitelabelDomain,
} from './service';

/** A whitelabel reseller's own domain: set it, and check its DNS. */

const tags = ['Credits: people'];

export function whitelabelRoutes(deps: CreditsDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My domain set-up (administrators: anyone’s, with user_id)',
      request: { query: z.object({ user_id: Uuid.optional() }) },
      responses: { 200: jsonResponse(WhitelabelSchema, 'The set-up'), ...errorResponses },
    }),
    async (c) =>
      c.json(whitelabelJson(await getWhitelabel(deps, c.get('actor'), c.req.valid('query').user_id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/target',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'Where a reseller’s domain must point (the host of this Tally’s public address), and why it cannot when that address is not on the internet',
      responses: {
        200: jsonResponse(
          z.object({
            cname_target: z.string(),
            problem: z.string().nullable().openapi({
              description: 'set when no domain can point at this Tally (a public address on localhost)',
            }),
          }),
          'The target',
        ),
        ...errorResponses,
      },
    }),
    (c) =>
      c.json(
        { cname_target: cnameTargetOf(deps.publicUrl), problem: publicAddressProblem(deps.publicUrl) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/whitelabel/domain',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary:
        'Set my domain (whitelabel resellers); point its CNAME record at `cname_target` and add the TXT record of `challenge`',
      request: jsonBody(z.strictObject({ domain: z.string().min(1).max(253) })),
      responses: {
        200: jsonResponse(WhitelabelSchema, 'The set-up'),
        ...errorResponses,
        ...refusals(creditsErrors, ['domain_taken', 'public_url_not_public']),
      },
    }),
    async (c) =>
      c.json(whitelabelJson(await setWhitelabelDomain(deps, c.get('actor'), c.req.valid('json'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/whitelabel/check-dns',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Look up my domain’s CNAME and challenge TXT records now; both right once verify it for good',
      responses: {
        200: jsonResponse(
          z.object({
            whitelabel: WhitelabelSchema,
            verified: z.boolean(),
            found: z.array(z.string()).openapi({ description: 'where the CNAME record points now' }),
            challenge_found: z
              .boolean()
              .openapi({ description: 'whether the TXT record holds the token now' }),
          }),
          'What the DNS says',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const check = await checkWhitelabelDns(deps, c.get('actor'));
      return c.json(
        {
          whitelabel: whitelabelJson(check.whitelabel),
          verified: check.verified,
          found: check.found,
          challenge_found: check.challengeFound,
        },
        200,
      );
    },
  );

  return router;
}
