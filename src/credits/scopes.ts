import { defineScope } from '../core/auth/api-keys';

/** What an API key may do in the credits line; the host application's servers use these. */
export const CREDITS_SCOPES = {
  read: 'credits:read',
  spend: 'credits:spend',
  manage: 'credits:manage',
} as const;

defineScope(CREDITS_SCOPES.read, 'Read the owner’s credits: balance, usages, reservations, workspaces');
defineScope(CREDITS_SCOPES.spend, 'Reserve, use, release and charge the owner’s credits; create workspaces');
defineScope(
  CREDITS_SCOPES.manage,
  'Manage credits products, purchases, integrations, prices and adjustments, as the owner may',
);
