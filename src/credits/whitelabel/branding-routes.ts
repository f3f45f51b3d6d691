import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors';
import { PHOTO_MAX_BYTES, photoHeaders } from '../../core/files/photos';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import { creditsErrors } from '../errors';
import { Uuid } from '../fields';
import {
  BRAND_NAME_MAX,
  type Branding,
  type BrandingDeps,
  brandLogoPath,
  getBranding,
  MIN_CONTRAST,
  readBrandLogo,
  removeBrandLogo,
  setBrandLogo,
  updateBranding,
} from './branding';

/** A whitelabel reseller's brand: its name, colours and logo, and the logo served to anyone. */

const tags = ['Credits: people'];

const BrandingSchema = z
  .object({
    whitelabel_id: Uuid,
    user_id: Uuid,
    domain: z.string(),
    domain_status: z.enum(['pending', 'verified', 'active', 'suspended']),
    brand_name: z.string().nullable().openapi({ description: 'as chosen; null: the reseller’s own name' }),
    name: z.string().openapi({ description: 'the name customers see' }),
    logo_url: z.string().nullable().openapi({ description: 'where anyone fetches the logo; null: none' }),
    primary_color: z.string().nullable().openapi({ description: '`#rrggbb`; null: Tally’s own' }),
    accent_color: z.string().nullable().openapi({ description: '`#rrggbb`; null: Tally’s own' }),
    updated_at: z.string(),
  })
  .openapi('CreditsBranding');

const brandingJson = (b: Branding) => ({
  whitelabel_id: b.whitelabelId,
  user_id: b.userId,
  domain: b.domain,
  domain_status: b.domainStatus,
  brand_name: b.brandName,
  name: b.name,
  logo_url: brandLogoPath(b.whitelabelId, b.logoFileId),
  primary_color: b.primaryColor,
  accent_color: b.accentColor,
  updated_at: b.updatedAt.toISOString(),
});

const colorField = (use: string) =>
  z
    .string()
    .max(32)
    .nullable()
    .optional()
    .openapi({
      description: `\`#rrggbb\` in any case, stored lower case, for ${use}; at least ${MIN_CONTRAST}:1 contrast with white. Null: Tally’s own.`,
    });

const BrandingChange = z.strictObject({
  brand_name: z
    .string()
    .max(1000)
    .nullable()
    .optional()
    .openapi({ description: `one line, 1 to ${BRAND_NAME_MAX} characters; null or empty: your own name` }),
  primary_color: colorField('buttons and the header, under white text'),
  accent_color: colorField('links on the white page'),
});

export function brandingRoutes(deps: BrandingDeps) {
  const router = createRouter();
  const missingDomain = refusals(creditsErrors, ['domain_not_set']);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/whitelabel/branding',
      access: { caller: 'signed-in', scope: 'credits:read' },
      tags,
      summary: 'My brand (whitelabel resellers; administrators: anyone’s, with user_id)',
      request: { query: z.object({ user_id: Uuid.optional() }) },
      responses: { 200: jsonResponse(BrandingSchema, 'The brand'), ...errorResponses, ...missingDomain },
    }),
    async (c) =>
      c.json(brandingJson(await getBranding(deps, c.get('actor'), c.req.valid('query').user_id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/whitelabel/branding',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Change my brand name and colours (whitelabel resellers); fields left out stay as they are',
      request: jsonBody(BrandingChange),
      responses: { 200: jsonResponse(BrandingSchema, 'The brand'), ...errorResponses, ...missingDomain },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const branding = await updateBranding(deps, c.get('actor'), {
        brandName: body.brand_name,
        primaryColor: body.primary_color,
        accentColor: body.accent_color,
      });
      return c.json(brandingJson(branding), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/whitelabel/branding/logo',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: `Set my logo (whitelabel resellers): PNG, JPEG or WebP, up to ${PHOTO_MAX_BYTES} bytes; SVG is refused`,
      request: {
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }),
            },
          },
        },
      },
      responses: { 200: jsonResponse(BrandingSchema, 'The brand'), ...errorResponses, ...missingDomain },
    }),
    async (c) => {
      const { file } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: an image is required', { field: 'file' });
      const branding = await setBrandLogo(deps, c.get('actor'), {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
      });
      return c.json(brandingJson(branding), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/whitelabel/branding/logo',
      access: { caller: 'signed-in', scope: 'credits:manage' },
      tags,
      summary: 'Remove my logo (whitelabel resellers)',
      responses: { 200: jsonResponse(BrandingSchema, 'The brand'), ...errorResponses, ...missingDomain },
    }),
    async (c) => c.json(brandingJson(await removeBrandLogo(deps, c.get('actor'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/brands/{id}/logo',
      access: { caller: 'anyone' },
      tags,
      summary:
        'A reseller’s logo, by its whitelabel id (anyone: its login and landing pages show it before sign-in)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: { description: 'The image', content: { 'image/*': { schema: z.string() } } },
        304: { description: 'The copy the client holds is current' },
        ...errorResponses,
      },
    }),
    async (c) => {
      const logo = await readBrandLogo(deps, c.req.valid('param').id);
      const etag = `"${logo.sha256}"`;
      // Public: the same image for everyone, so shared caches may keep it; the ETag lets a client
      // check its copy without fetching the bytes again once max-age has passed.
      const headers = {
        ...photoHeaders(logo.contentType, logo.bytes),
        'cache-control': 'public, max-age=300',
        etag,
      };
      const held = c.req.header('if-none-match');
      if (held?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
        const { 'content-length': _, ...rest } = headers;
        return c.body(null, 304, rest);
      }
      return c.body(new Uint8Array(logo.bytes), 200, headers);
    },
  );

  return router;
}
