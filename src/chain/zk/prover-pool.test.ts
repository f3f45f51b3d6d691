import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encrypt, type KeyPair, publicKeyOf, randomScalar } from './elgamal';
import {
  buildTransfer,
  buildWithdraw,
  type Proof,
  releaseProver,
  verify,
  withdrawPublicSignals,
} from './proofs';
import { type ProverPool, startProverPool } from './prover-pool';

const keyPair = (): KeyPair => {
  const secret = randomScalar();
  return { secret, publicKey: publicKeyOf(secret) };
};
const owner = keyPair();
const receiver = keyPair();
const auditor = keyPair();
const balanceValue = 1_000_000n;
const balance = encrypt(balanceValue, owner.publicKey);

const withdrawal = (amount: bigint) =>
  buildWithdraw({
    owner,
    balance,
    balanceValue,
    amount,
    recipient: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n,
  });

let pair: ProverPool;
let single: ProverPool;

beforeAll(() => {
  pair = startProverPool({ size: 2 });
  single = startProverPool({ size: 1 });
});

afterAll(async () => {
  await Promise.all([pair.close(), single.close()]);
  await releaseProver();
});

describe('a prover pool', () => {
  it('proves two statements side by side, and both proofs verify', async () => {
    const transfer = buildTransfer({
      sender: owner,
      receiverKey: receiver.publicKey,
      auditorKey: auditor.publicKey,
      balance,
      balanceValue,
      amount: 400_000n,
    });
    const withdraw = withdrawal(600_000n);
    const [transferProof, withdrawProof] = await Promise.all([
      pair.prove('transfer', transfer.inputs),
      pair.prove('withdraw', withdraw.inputs),
    ]);
    expect(await verify('transfer', transferProof)).toBe(true);
    expect(await verify('withdraw', withdrawProof)).toBe(true);
    expect(withdrawProof.publicSignals).toEqual(withdrawPublicSignals(withdraw.statement));
  });

  it('rejects only the statement that breaks a constraint, and its thread proves the next one', async () => {
    const [tooMuch, valid] = await Promise.allSettled([
      single.prove('withdraw', withdrawal(balanceValue + 1n).inputs),
      single.prove('withdraw', withdrawal(1n).inputs),
    ]);
    expect(tooMuch.status).toBe('rejected');
    const error = (tooMuch as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^the withdraw statement cannot be proven: Assert Failed/);
    expect(valid.status).toBe('fulfilled');
    expect(await verify('withdraw', (valid as PromiseFulfilledResult<Proof>).value)).toBe(true);
  });

  it('rejects the proof of a thread that dies, and proves the next statement on the thread started in its place', async () => {
    const postMessage = Worker.prototype.postMessage;
    // The pool's only way in: the thread it hands the statement to is ended under it.
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementationOnce(function (
      this: Worker,
      ...message: Parameters<Worker['postMessage']>
    ) {
      postMessage.apply(this, message);
      void this.terminate();
    });
    try {
      await expect(single.prove('withdraw', withdrawal(2n).inputs)).rejects.toThrow(
        /the thread proving a withdraw statement died/,
      );
    } finally {
      spy.mockRestore();
    }
    expect(await verify('withdraw', await single.prove('withdraw', withdrawal(3n).inputs))).toBe(true);
  });

  it('refuses a statement once closed', async () => {
    const closing = startProverPool({ size: 1 });
    await closing.close();
    await expect(closing.prove('withdraw', withdrawal(1n).inputs)).rejects.toThrow(/closed/);
  });

  it('started by plain node with tsx registered as bin/tally.js does, proves, and once closed lets the process exit', async () => {
    const modules = {
      pool: new URL('./prover-pool.ts', import.meta.url).href,
      proofs: new URL('./proofs.ts', import.meta.url).href,
      elgamal: new URL('./elgamal.ts', import.meta.url).href,
    };
    // No proof is verified in the child: snarkjs's verification starts threads of its own, which
    // would keep it alive whatever the pool does.
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { startProverPool } = await import(${JSON.stringify(modules.pool)});
      const { buildWithdraw } = await import(${JSON.stringify(modules.proofs)});
      const { encrypt, publicKeyOf } = await import(${JSON.stringify(modules.elgamal)});
      const owner = { secret: 12345n, publicKey: publicKeyOf(12345n) };
      const { inputs } = buildWithdraw({ owner, balance: encrypt(10n, owner.publicKey), balanceValue: 10n, amount: 3n, recipient: 1n });
      const pool = startProverPool({ size: 2 });
      const proof = await pool.prove('withdraw', inputs);
      await pool.close();
      process.stdout.write(JSON.stringify(proof));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killer);
    expect({ ...exit, errors }).toEqual({ code: 0, signal: null, errors: '' });
    expect(await verify('withdraw', JSON.parse(output) as Proof)).toBe(true);
  });
});
