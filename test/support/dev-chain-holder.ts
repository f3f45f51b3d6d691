import { startDevChain } from '../../src/chain/dev-chain';

/**
 * A process that starts the embedded chain with a state file, mines five blocks, says where the chain
 * listens, and waits to be killed: for the test that the chain dies with whoever started it.
 */
const [stateFile] = process.argv.slice(2);
const chain = await startDevChain({ stateFile, stateIntervalSeconds: 1 });
await fetch(chain.rpcUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x5'] }),
});
console.log(chain.rpcUrl);
setInterval(() => {}, 60_000);
