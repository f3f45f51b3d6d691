import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { curves, type Groth16Proof, groth16, type VerificationKey } from 'snarkjs';

export {
  buildTransfer,
  buildWithdraw,
  type TransferStatement,
  type TransferWitness,
  transferPublicSignals,
  transferStatementInputs,
  type WithdrawStatement,
  type WithdrawWitness,
  withdrawPublicSignals,
  withdrawStatementInputs,
} from './statements';

/**
 * Groth16 proofs of the circuits in circuits/ (transfer, withdraw), with the keys of the trusted
 * setup in circuits/build/. Proving reads only files and takes no shared state, so a worker thread
 * can prove on its own: pass `singleThread` there, the pool is the parallelism (prover-pool.ts).
 */
export type CircuitName = 'transfer' | 'withdraw';

export type Proof = { proof: Groth16Proof; publicSignals: string[] };

const buildDirectory = fileURLToPath(new URL('../../../circuits/build/', import.meta.url));

export function circuitArtifacts(circuit: CircuitName): {
  wasm: string;
  zkey: string;
  verificationKey: string;
} {
  return {
    wasm: `${buildDirectory}${circuit}.wasm`,
    zkey: `${buildDirectory}${circuit}.zkey`,
    verificationKey: `${buildDirectory}${circuit}.vkey.json`,
  };
}

const verificationKeys = new Map<CircuitName, VerificationKey>();

function verificationKeyOf(circuit: CircuitName): VerificationKey {
  let key = verificationKeys.get(circuit);
  if (!key) {
    key = JSON.parse(readFileSync(circuitArtifacts(circuit).verificationKey, 'utf8')) as VerificationKey;
    verificationKeys.set(circuit, key);
  }
  return key;
}

/** Fails when the inputs break a constraint: the witness generator checks every one of them. */
export async function prove(
  circuit: CircuitName,
  inputs: Record<string, unknown>,
  options: { singleThread?: boolean } = {},
): Promise<Proof> {
  const artifacts = circuitArtifacts(circuit);
  return groth16.fullProve(inputs, artifacts.wasm, artifacts.zkey, undefined, undefined, {
    singleThread: options.singleThread ?? false,
  });
}

export async function verify(circuit: CircuitName, proof: Proof): Promise<boolean> {
  return groth16.verify(verificationKeyOf(circuit), proof.publicSignals, proof.proof);
}

/** The arguments of the exported verifier's verifyProof(a, b, c, input); G2 coordinates go imaginary part first. */
export function verifierArguments(proof: Proof): {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  input: readonly bigint[];
} {
  const { pi_a, pi_b, pi_c } = proof.proof;
  const pair = (values: string[]): readonly [bigint, bigint] => [BigInt(values[0]!), BigInt(values[1]!)];
  return {
    a: pair(pi_a),
    b: [pair([pi_b[0]![1]!, pi_b[0]![0]!]), pair([pi_b[1]![1]!, pi_b[1]![0]!])],
    c: pair(pi_c),
    input: proof.publicSignals.map((signal) => BigInt(signal)),
  };
}

/** Ends snarkjs's curve workers, which otherwise keep a process alive. */
export async function releaseProver(): Promise<void> {
  await (await curves.getCurveFromName('bn128')).terminate();
}
