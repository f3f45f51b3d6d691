import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { curves, powersOfTau, zKey } from 'snarkjs';
import {
  buildDirectory,
  type CircuitManifest,
  type CompiledCircuit,
  circuitNames,
  compileCircuit,
  manifestPath,
  renderVerifier,
  repositoryRoot,
  sha256,
  verifierSourcePath,
} from './circuits';

/**
 * `npm run circuits:setup`: the development trusted setup. Compiles every circuit, makes a local
 * powers of tau just large enough for them with one random contribution, one random phase-2
 * contribution per circuit, and writes what the app and the chain need: the witness generator
 * (wasm), the proving key (zkey), the verification key and the Solidity verifier. Its secrets are
 * thrown away when it ends, but nobody else took part: it is for development only (circuits/README.md
 * says how a ceremony replaces it).
 */
const cacheDirectory = join(repositoryRoot, 'node_modules', '.cache', 'tally', 'circuits');

function entropy(): string {
  return randomBytes(64).toString('hex');
}

async function preparePowersOfTau(power: number): Promise<string> {
  const prepared = join(cacheDirectory, `powers-of-tau-${power}.ptau`);
  if (existsSync(prepared)) {
    console.log(`powers of tau 2^${power}: reusing ${relative(repositoryRoot, prepared)}`);
    return prepared;
  }
  mkdirSync(cacheDirectory, { recursive: true });
  const started = Date.now();
  const fresh = join(cacheDirectory, `powers-of-tau-${power}.new.ptau`);
  const contributed = join(cacheDirectory, `powers-of-tau-${power}.contributed.ptau`);
  const curve = await curves.getCurveFromName('bn128');
  await powersOfTau.newAccumulator(curve, power, fresh);
  await powersOfTau.contribute(fresh, contributed, 'Tally development', entropy());
  await powersOfTau.preparePhase2(contributed, `${prepared}.partial`);
  renameSync(`${prepared}.partial`, prepared);
  for (const step of [fresh, contributed]) rmSync(step);
  console.log(`powers of tau 2^${power}: made in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return prepared;
}

async function setUpCircuit(circuit: CompiledCircuit, ptau: string): Promise<void> {
  const started = Date.now();
  const r1cs = join(cacheDirectory, `${circuit.name}.r1cs`);
  writeFileSync(r1cs, circuit.r1cs);
  const initial = join(cacheDirectory, `${circuit.name}.initial.zkey`);
  await zKey.newZKey(r1cs, ptau, initial);
  const zkey = join(buildDirectory, `${circuit.name}.zkey`);
  await zKey.contribute(initial, zkey, 'Tally development', entropy());
  writeFileSync(join(buildDirectory, `${circuit.name}.wasm`), circuit.wasm);
  const verificationKey = await zKey.exportVerificationKey(zkey);
  writeFileSync(
    join(buildDirectory, `${circuit.name}.vkey.json`),
    `${JSON.stringify(verificationKey, null, 2)}\n`,
  );
  mkdirSync(join(repositoryRoot, 'contracts', 'verifiers'), { recursive: true });
  writeFileSync(verifierSourcePath(circuit.name), await renderVerifier(circuit.name));
  console.log(
    `${circuit.name}: ${circuit.constraints} constraints, ${circuit.publicInputs} public inputs, ` +
      `keys made in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

async function setUp(): Promise<void> {
  mkdirSync(buildDirectory, { recursive: true });
  const compiled = circuitNames.map(compileCircuit);
  // Groth16's domain holds every constraint plus one per public input and one for the constant.
  const domain = Math.max(...compiled.map((circuit) => circuit.constraints + circuit.publicInputs + 1));
  const power = Math.max(8, Math.ceil(Math.log2(domain)));
  const ptau = await preparePowersOfTau(power);
  for (const circuit of compiled) await setUpCircuit(circuit, ptau);
  const manifest = Object.fromEntries(
    compiled.map((circuit) => [
      circuit.name,
      {
        r1csSha256: sha256(circuit.r1cs),
        wasmSha256: sha256(circuit.wasm),
        constraints: circuit.constraints,
        publicInputs: circuit.publicInputs,
        privateInputs: circuit.privateInputs,
      },
    ]),
  ) as CircuitManifest;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await (await curves.getCurveFromName('bn128')).terminate();
  console.log('Now run `npm run contracts:build` to compile the verifiers into modules.');
}

await setUp();
