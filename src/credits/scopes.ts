/** What an API key may do in the credits line; the host application's servers use these. */
export const creditsScopeDescriptions: Readonly<Record<string, string>> = {
  'credits:read': 'Read the owner’s credits: balance, usages, reservations, workspaces',
  'credits:spend': 'Reserve, use, release and charge the owner’s credits; create workspaces',
  'credits:manage':
    'Manage credits products, purchases, integrations, prices and adjustments, as the owner may',
};
