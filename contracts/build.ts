import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileContracts, repositoryRoot } from './compile';
import { renderContractModule } from './render-module';

/**
 * `npm run contracts:build` writes src/chain/contracts/<Name>.ts for every contract;
 * `npm run contracts:check` (in CI) compiles into memory and fails when the committed modules differ,
 * so the ABI and bytecode the app deploys are always the ones its sources compile to.
 */
const outputDirectory = join(repositoryRoot, 'src', 'chain', 'contracts');

function expectedModules(): Map<string, string> {
  return new Map(
    compileContracts().map((contract) => [`${contract.name}.ts`, renderContractModule(contract)]),
  );
}

function committedModules(): Map<string, string> {
  let names: string[];
  try {
    names = readdirSync(outputDirectory).filter((name) => name.endsWith('.ts'));
  } catch {
    names = [];
  }
  return new Map(names.sort().map((name) => [name, readFileSync(join(outputDirectory, name), 'utf8')]));
}

function build(): void {
  const expected = expectedModules();
  mkdirSync(outputDirectory, { recursive: true });
  for (const name of committedModules().keys()) {
    if (!expected.has(name)) rmSync(join(outputDirectory, name));
  }
  for (const [name, text] of expected) writeFileSync(join(outputDirectory, name), text);
  console.log(`wrote ${expected.size} modules to ${relative(repositoryRoot, outputDirectory)}`);
}

function check(): void {
  const expected = expectedModules();
  const committed = committedModules();
  const differences: string[] = [];
  for (const [name, text] of expected) {
    const current = committed.get(name);
    if (current === undefined) differences.push(`missing: ${name}`);
    else if (current !== text) differences.push(`differs from its sources: ${name}`);
  }
  for (const name of committed.keys()) {
    if (!expected.has(name)) differences.push(`no contract compiles to: ${name}`);
  }
  if (differences.length > 0) {
    const where = relative(repositoryRoot, outputDirectory);
    console.error(`contracts:check failed in ${where}:\n  ${differences.join('\n  ')}`);
    console.error('Run `npm run contracts:build` and commit the result.');
    process.exit(1);
  }
  console.log(`contracts:check: ${expected.size} modules match their sources`);
}

if (process.argv.includes('--check')) check();
else build();
