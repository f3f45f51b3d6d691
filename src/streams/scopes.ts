/** What an API key may do in the streams line, as its owner may. */
export const streamsScopeDescriptions: Readonly<Record<string, string>> = {
  'streams:read': 'Read the owner’s producer profile and plans',
  'streams:write': 'Change the owner’s producer profile and plans',
  'streams:usage': 'Report the uses the owner’s service served its plans’ subscribers',
  'streams:subscribe': 'Check plans out for the owner’s wallets, and read those checkouts',
};
