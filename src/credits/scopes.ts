/** What an API key may do in the credits line; the host application's servers use these. */
export const CREDITS_SCOPES = {
  read: 'credits:read',
  spend: 'credits:spend',
  manage: 'credits:manage',
} as const;

export const creditsScopeDescriptions: Readonly<Record<string, string>> = {
  [CREDITS_SCOPES.read]: 'Read the owner’s credits: balance, usages, reservations, workspaces',
  [CREDITS_SCOPES.spend]: 'Reserve, use, release and charge the owner’s credits; create workspaces',
  [CREDITS_SCOPES.manage]:
    'Manage credits products, purchases, integrations, prices and adjustments, as the owner may',
};
