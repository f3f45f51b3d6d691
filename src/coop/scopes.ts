/** What an API key may do in the coop line, as its owner may. */
export const coopScopeDescriptions: Readonly<Record<string, string>> = {
  'coop:read': 'Read the owner’s buyers clubs: households, join requests, producers and products',
  'coop:write': 'Change them as the owner may: households, join requests, producers, products, club settings',
};
