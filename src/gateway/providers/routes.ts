import { createRoute, z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { createRouter, errorResponses, jsonBody, jsonResponse, PathId, refusals } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { Name, Uuid } from '../fields';
import { kycDocumentKinds, kycStates } from '../schema';
import { KycDocumentSchema, kycDocumentJson, ProviderSchema, providerJson } from './json';
import {
  addKycDocument,
  findOwnProvider,
  getProvider,
  listKycDocuments,
  listProviders,
  type Provider,
  registerProvider,
  removeKycDocument,
  reviewKyc,
  submitKyc,
  updateProvider,
} from './service';

const tags = ['Gateway: providers'];
// A union with null, not `.nullable()`: that would mark the provider schema nullable wherever it is used.
const ProviderAnswer = z.object({ provider: z.union([ProviderSchema, z.null()]) });

/** A provider's own profile and KYC, and the administrators' review of KYC. */
export function providerRoutes(deps: GatewayDeps) {
  const router = createRouter();
  const withDocuments = async (provider: Provider) =>
    providerJson(provider, await listKycDocuments(deps.db, provider.id));

  router.openapi(
    createRoute({
      method: 'get',
      path: '/provider',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'My provider profile, with its KYC state and documents; null when I am not a provider',
      responses: { 200: jsonResponse(ProviderAnswer, 'The profile, or null'), ...errorResponses },
    }),
    async (c) => {
      const provider = await findOwnProvider(deps.db, c.get('actor'));
      return c.json({ provider: provider ? await withDocuments(provider) : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary: 'Become a provider: a name consumers see and the address earnings are paid to',
      request: jsonBody(z.strictObject({ name: Name, payout_address: Address })),
      responses: {
        201: jsonResponse(ProviderSchema, 'The new provider'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_exists']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const provider = await registerProvider(deps, c.get('actor'), {
        name: body.name,
        payoutAddress: body.payout_address,
      });
      return c.json(await withDocuments(provider), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/provider',
      // A new payout address redirects earnings: a leaked API key must not be able to do that.
      access: { caller: 'signed-in', session: true },
      tags,
      summary: 'Change my provider name or payout address',
      request: jsonBody(z.strictObject({ name: Name.optional(), payout_address: Address.optional() })),
      responses: {
        200: jsonResponse(ProviderSchema, 'The provider'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const provider = await updateProvider(deps, c.get('actor'), {
        name: body.name,
        payoutAddress: body.payout_address,
      });
      return c.json(await withDocuments(provider), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/kyc/documents',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary: 'Add a file I uploaded (POST /api/files) to my KYC, before submitting it or after a rejection',
      request: jsonBody(z.strictObject({ file_id: Uuid, kind: z.enum(kycDocumentKinds) })),
      responses: {
        200: jsonResponse(z.object({ documents: z.array(KycDocumentSchema) }), 'The documents now'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'kyc_submitted', 'kyc_approved']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const documents = await addKycDocument(deps, c.get('actor'), { fileId: body.file_id, kind: body.kind });
      return c.json({ documents: documents.map(kycDocumentJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/provider/kyc/documents/{id}',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary: 'Take a document out of my KYC, before submitting it or after a rejection',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ documents: z.array(KycDocumentSchema) }), 'The documents now'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'kyc_submitted', 'kyc_approved']),
      },
    }),
    async (c) => {
      const documents = await removeKycDocument(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ documents: documents.map(kycDocumentJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/kyc/submit',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary: 'Send my KYC documents for review',
      responses: {
        200: jsonResponse(ProviderSchema, 'The provider, KYC submitted'),
        ...errorResponses,
        ...refusals(gatewayErrors, [
          'provider_required',
          'kyc_documents_missing',
          'kyc_submitted',
          'kyc_approved',
        ]),
      },
    }),
    async (c) => c.json(await withDocuments(await submitKyc(deps, c.get('actor'))), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/providers',
      access: { caller: 'admin', scope: 'gateway:read' },
      tags,
      summary: 'Providers (administrators), those waiting for KYC review first',
      request: { query: z.object({ kyc_state: z.enum(kycStates).optional() }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(ProviderSchema) }), 'The providers'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const found = await listProviders(deps, c.get('actor'), { kycState: c.req.valid('query').kyc_state });
      return c.json({ items: await Promise.all(found.map(withDocuments)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/providers/{id}',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'A provider: my own, or any for administrators',
      request: { params: z.object({ id: PathId }) },
      responses: { 200: jsonResponse(ProviderSchema, 'The provider'), ...errorResponses },
    }),
    async (c) =>
      c.json(await withDocuments(await getProvider(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/providers/{id}/kyc',
      // A decision on someone's identity is a person's, made in the web app.
      access: { caller: 'admin', session: true },
      tags,
      summary: 'Approve or reject a provider’s submitted KYC (administrators); a rejection says why',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            decision: z.enum(['approved', 'rejected']),
            note: z.string().trim().max(2000).optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(ProviderSchema, 'The provider'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['kyc_none', 'kyc_rejected', 'kyc_approved', 'kyc_own_review']),
      },
    }),
    async (c) => {
      const provider = await reviewKyc(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(await withDocuments(provider), 200);
    },
  );

  return router;
}
