import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import type { CreditsDeps } from '../deps';
import { creditsErrors } from '../errors';
import { Uuid } from '../fields';
import { cnameTargetOf, isDevelopmentTally, publicAddressProblem } from './domain-names';
import { WhitelabelSchema, whitelabelJson } from './json';
import { checkWhitelabelDns, getWhitelabel, setWhitelabelDomain } from './service';

/** A whitelabel reseller's own domain: set it, follow its state, and check its DNS now. */

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
      c.json(
        whitelabelJson(
          await getWhitelabel(deps, c.get('actor'), c.req.valid('query').user_id),
          deps.publicUrl,
        ),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/target',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary:
        'Where a reseller’s domain must point (the host of this Tally’s public address), why a public domain cannot when that address is not on the internet, and whether names under .localhost are taken instead',
      responses: {
        200: jsonResponse(
          z.object({
            cname_target: z.string(),
            problem: z.string().nullable().openapi({
              description:
                'set when no public domain can point at this Tally (a public address on localhost)',
            }),
            development: z.boolean().openapi({
              description:
                'a development Tally (its public address is this machine): it takes names under .localhost, active at once, and no others',
            }),
          }),
          'The target',
        ),
        ...errorResponses,
      },
    }),
    (c) =>
      c.json(
        {
          cname_target: cnameTargetOf(deps.publicUrl),
          problem: publicAddressProblem(deps.publicUrl),
          development: isDevelopmentTally(deps.publicUrl),
        },
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
        'Set my domain (whitelabel resellers): a new pending claim; point its CNAME record at `cname_target` and add the TXT record of `challenge`, and Tally checks them every minute until they are right (a name under .localhost on a development Tally is active at once)',
      request: jsonBody(z.strictObject({ domain: z.string().min(1).max(253) })),
      responses: {
        200: jsonResponse(WhitelabelSchema, 'The set-up'),
        ...errorResponses,
        ...refusals(creditsErrors, ['domain_taken', 'public_url_not_public']),
      },
    }),
    async (c) =>
      c.json(
        whitelabelJson(await setWhitelabelDomain(deps, c.get('actor'), c.req.valid('json')), deps.publicUrl),
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/whitelabel/check-dns',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary:
        'Look up my domain’s CNAME and challenge TXT records now, as the domain job does: both right make a pending claim verified and active, and a suspended domain active again; a wrong answer counts towards suspension; a lookup that failed counts nothing',
      responses: {
        200: jsonResponse(
          z.object({
            whitelabel: WhitelabelSchema,
            verified: z.boolean(),
            found: z.array(z.string()).openapi({ description: 'where the CNAME record points now' }),
            challenge_found: z
              .boolean()
              .openapi({ description: 'whether the TXT record holds the token now' }),
            problems: z.array(z.string()).openapi({
              description:
                'what is wrong with the records, each in words to act on; empty when they are right',
            }),
            lookup_failed: z.boolean().openapi({
              description:
                'the DNS gave no answer (a timeout, a failing server): nothing was learnt or counted; try again',
            }),
          }),
          'What the DNS says',
        ),
        ...errorResponses,
        ...refusals(creditsErrors, ['domain_taken']),
      },
    }),
    async (c) => {
      const check = await checkWhitelabelDns(deps, c.get('actor'));
      return c.json(
        {
          whitelabel: whitelabelJson(check.whitelabel, deps.publicUrl),
          verified: check.verified,
          found: check.found,
          challenge_found: check.challengeFound,
          problems: check.problems,
          lookup_failed: check.lookupFailed,
        },
        200,
      );
    },
  );

  return router;
}
