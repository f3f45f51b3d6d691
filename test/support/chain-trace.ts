import type { Chain, Hex, PublicClient, Transport } from 'viem';

/**
 * Everything a transaction put where a chain observer can read it: its calldata, its logs (topics
 * and data) and every storage slot it wrote, as 32-byte words, and the calldata and logs as hex
 * text. Storage comes from anvil's `debug_traceTransaction` with the prestate tracer's diff.
 */
export async function observableWords(
  client: PublicClient<Transport, Chain>,
  hash: Hex,
): Promise<{ from: Hex; to: Hex | null; words: bigint[]; text: string; slots: number }> {
  const transaction = await client.getTransaction({ hash });
  const receipt = await client.getTransactionReceipt({ hash });
  const words: bigint[] = [...wordsOf(`0x${transaction.input.slice(10)}`)];
  let text = transaction.input.toLowerCase();
  for (const log of receipt.logs) {
    words.push(...log.topics.map((topic) => BigInt(topic)), ...wordsOf(log.data));
    text += (log.topics.join('') + log.data).toLowerCase();
  }
  const touched = (await client.request({
    method: 'debug_traceTransaction' as never,
    params: [hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }] as never,
  })) as { post: Record<string, { storage?: Record<string, Hex> }> };
  const slots = Object.values(touched.post).flatMap((state) => Object.values(state.storage ?? {}));
  words.push(...slots.map((value) => BigInt(value)));
  return { from: transaction.from, to: transaction.to, words, text, slots: slots.length };
}

function* wordsOf(data: Hex): Generator<bigint> {
  const hex = data.slice(2);
  for (let offset = 0; offset + 64 <= hex.length; offset += 64)
    yield BigInt(`0x${hex.slice(offset, offset + 64)}`);
}
