import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The circuits, each compiled from circuits/<name>.circom into circuits/build/<name>.{wasm,zkey,vkey.json}. */
export const circuitNames = ['transfer', 'withdraw'] as const;
export type CircuitName = (typeof circuitNames)[number];

export const circuitsDirectory = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = dirname(circuitsDirectory);
export const buildDirectory = join(circuitsDirectory, 'build');
export const manifestPath = join(buildDirectory, 'manifest.json');

/** Each verifier is a contract under contracts/, so the solc-js build compiles it with the others. */
export function verifierContractName(circuit: CircuitName): string {
  return `${circuit[0]!.toUpperCase()}${circuit.slice(1)}Verifier`;
}
export function verifierSourcePath(circuit: CircuitName): string {
  return join(repositoryRoot, 'contracts', 'verifiers', `${verifierContractName(circuit)}.sol`);
}

/** What the trusted setup was made from: a zkey is only valid for the constraint system it was made for. */
export type CircuitManifest = Record<
  CircuitName,
  { r1csSha256: string; wasmSha256: string; constraints: number; publicInputs: number; privateInputs: number }
>;

export type CompiledCircuit = {
  name: CircuitName;
  r1cs: Buffer;
  wasm: Buffer;
  constraints: number;
  publicInputs: number;
  privateInputs: number;
};

/**
 * Compiles one circuit with circom 2 in WebAssembly (the circom2 package), with the full
 * simplification (--O2) that folds the linear constraints away, into memory.
 */
export function compileCircuit(name: CircuitName): CompiledCircuit {
  const output = mkdtempSync(join(tmpdir(), `circom-${name}-`));
  try {
    const cli = createRequire(import.meta.url).resolve('circom2/cli.js');
    const log = execFileSync(
      process.execPath,
      [cli, `circuits/${name}.circom`, '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', output],
      { cwd: repositoryRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const count = (label: string): number => {
      const match = new RegExp(`^${label}: (\\d+)`, 'm').exec(log);
      if (!match) throw new Error(`circom printed no "${label}" for ${name}:\n${log}`);
      return Number(match[1]);
    };
    return {
      name,
      r1cs: readFileSync(join(output, `${name}.r1cs`)),
      wasm: readFileSync(join(output, `${name}_js`, `${name}.wasm`)),
      constraints: count('non-linear constraints') + count('linear constraints'),
      publicInputs: count('public inputs'),
      privateInputs: count('private inputs'),
    };
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readManifest(): CircuitManifest {
  return JSON.parse(readFileSync(manifestPath, 'utf8')) as CircuitManifest;
}

/** snarkjs's Groth16 verifier for a zkey, named after its circuit: two verifiers must not share a name. */
export async function renderVerifier(circuit: CircuitName): Promise<string> {
  const snarkjsMain = createRequire(import.meta.url).resolve('snarkjs');
  const template = readFileSync(
    join(dirname(snarkjsMain), '..', 'templates', 'verifier_groth16.sol.ejs'),
    'utf8',
  );
  const { zKey } = await import('snarkjs');
  const source = await zKey.exportSolidityVerifier(join(buildDirectory, `${circuit}.zkey`), {
    groth16: template,
  });
  if (!source.includes('contract Groth16Verifier {'))
    throw new Error('snarkjs renamed its verifier contract');
  return source.replace('contract Groth16Verifier {', `contract ${verifierContractName(circuit)} {`);
}

/** Ends snarkjs's curve workers, which otherwise keep the process alive. */
export async function releaseCurve(): Promise<void> {
  const { curves } = await import('snarkjs');
  await (await curves.getCurveFromName('bn128')).terminate();
}

/**
 * Where the committed keys no longer fit the sources: a circuit that compiles to another
 * constraint system or witness generator than the one its zkey was made for.
 */
export function staleCircuits(): string[] {
  const manifest = readManifest();
  const stale: string[] = [];
  for (const name of circuitNames) {
    const compiled = compileCircuit(name);
    const recorded = manifest[name];
    if (!recorded) stale.push(`${name}: not in circuits/build/manifest.json`);
    else if (recorded.r1csSha256 !== sha256(compiled.r1cs))
      stale.push(`${name}: constraints changed since the setup`);
    else if (recorded.wasmSha256 !== sha256(compiled.wasm)) stale.push(`${name}: witness generator changed`);
  }
  return stale;
}
