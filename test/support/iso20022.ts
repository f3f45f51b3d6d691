import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * The official ISO 20022 schemas our payment files must satisfy, read at test time and never kept
 * in the repository (they are the standard's files, not ours): from `$ISO20022_XSD_DIR` if set, else
 * from a cache that `scripts/iso20022-schemas.sh` fills from Debian's Tryton SEPA package.
 */

export type Iso20022Message = 'pain.001.001.03' | 'pain.008.001.02';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/iso20022');
const SCRIPT = join(ROOT, 'scripts/iso20022-schemas.sh');

const HOW_TO_GET_THEM =
  'run scripts/iso20022-schemas.sh (it takes them from the Debian package tryton-modules-account-payment-sepa: ' +
  '`apt-get download tryton-modules-account-payment-sepa && dpkg -x <the .deb> <dir>`, then ' +
  '<dir>/usr/lib/python3/dist-packages/trytond/modules/account_payment_sepa/tests/*.xsd), ' +
  'or set ISO20022_XSD_DIR to a folder holding pain.001.001.03.xsd and pain.008.001.02.xsd';

export function iso20022Schema(message: Iso20022Message): string {
  const file = `${message}.xsd`;
  const fromEnv = process.env.ISO20022_XSD_DIR;
  if (fromEnv) {
    const path = join(fromEnv, file);
    if (!existsSync(path))
      throw new Error(`ISO20022_XSD_DIR=${fromEnv} holds no ${file}: ${HOW_TO_GET_THEM}`);
    return readFileSync(path, 'utf8');
  }
  const cached = join(CACHE, file);
  if (!existsSync(cached)) {
    try {
      execFileSync(SCRIPT, [CACHE], { stdio: 'pipe' });
    } catch (error) {
      const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(
        `the ISO 20022 schema ${file} is missing${said ? ` (${said})` : ''}: ${HOW_TO_GET_THEM}`,
      );
    }
  }
  return readFileSync(cached, 'utf8');
}

/** What xmllint says of `xml` against the official schema: valid, or the messages of its errors. */
export async function validateIso20022(
  xml: string,
  message: Iso20022Message,
): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: { fileName: 'document.xml', contents: xml },
    schema: { fileName: `${message}.xsd`, contents: iso20022Schema(message) },
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}
