/** What an API key may do in the gateway line. */
export const gatewayScopeDescriptions: Readonly<Record<string, string>> = {
  'gateway:read': 'Read the owner’s gateway balance, calls, session grants, provider, servers and earnings',
  'gateway:spend': 'Deposit USDC, issue and revoke session grants, withdraw to the owner’s own wallets',
  'gateway:provide': 'Manage the owner’s provider profile, MCP servers, tool prices and KYC documents',
};
