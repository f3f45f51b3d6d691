import { startDemoUpstream } from '../../src/gateway/demo/upstream-server';

/**
 * The upstream MCP server of bench/gateway.ts, in a process of its own so that its CPU time is its
 * own: the demo server on 127.0.0.1, its URL sent over IPC; `cpu` answers its CPU time, `stop` ends it.
 */
async function main(): Promise<void> {
  if (!process.send) throw new Error('run by bench/gateway.ts');
  const upstream = await startDemoUpstream();
  process.on('message', async (message: unknown) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
    } else if (message === 'stop') {
      await upstream.close();
      process.exit(0);
    }
  });
  process.send({ url: upstream.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
