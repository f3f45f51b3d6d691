/// <reference path="../../../../../src/chain/zk/snarkjs.d.ts" />
import { groth16 } from 'snarkjs';
import withdrawWasm from '../../../../../circuits/build/withdraw.wasm?url';
import withdrawZkey from '../../../../../circuits/build/withdraw.zkey?url';

/**
 * The withdrawal proof, made in the provider's browser: its secret key is an input, so the proof
 * cannot be made anywhere the key is not. Loaded only when a claim is made (snarkjs and the
 * circuit's 2 MB of keys).
 */
export async function proveWithdrawal(inputs: Record<string, unknown>) {
  const { proof } = await groth16.fullProve(inputs, withdrawWasm, withdrawZkey);
  return { pi_a: proof.pi_a, pi_b: proof.pi_b, pi_c: proof.pi_c };
}
