/** API-key scopes of /api/chain, beside the core's and the lines'. */
export const chainScopes: Readonly<Record<string, string>> = {
  'chain:read':
    'Follow the owner’s outgoing chain transactions (an administrator’s key: all, and the chain’s status)',
  'chain:rpc': 'Send JSON-RPC to the chain through Tally’s proxy, as the owner’s wallet would',
  'chain:faucet': 'Ask the development chain’s faucet for test tokens',
};
