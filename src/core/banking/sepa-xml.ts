import { formatAmount } from '../money';

/**
 * What the SEPA payment files (pain.001 credit transfers, pain.008 direct debits) write alike: texts
 * kept to the SEPA character set, escaped XML elements, euro amounts and the bank of an account.
 */

/** Letters, digits and the punctuation every SEPA bank accepts; anything else becomes a space or a plain letter. */
export function sepaText(text: string, max: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

export const element = (name: string, content: string) => `<${name}>${content}</${name}>`;
export const textElement = (name: string, value: string) => element(name, escapeXml(value));

/** An amount in euro as the files write it: `12.50`, with its currency. */
export const euroElement = (name: string, cents: bigint) =>
  `<${name} Ccy="EUR">${formatAmount(cents, 2)}</${name}>`;

/** The bank of an account: its BIC, or "not provided", which SEPA allows since IBAN-only payments. */
export const agentElement = (name: string, bic: string | null) =>
  element(
    name,
    bic
      ? element('FinInstnId', textElement('BIC', bic))
      : element('FinInstnId', element('Othr', textElement('Id', 'NOTPROVIDED'))),
  );

/** The control sum and count a group header and a payment information block both carry. */
export function controlTotals(amounts: readonly bigint[]): { count: string; sum: string } {
  return {
    count: String(amounts.length),
    sum: formatAmount(
      amounts.reduce((total, amount) => total + amount, 0n),
      2,
    ),
  };
}

/** The file's creation time as ISO 20022 writes it: to the second, no zone. */
export const creationTime = (at: Date) => at.toISOString().slice(0, 19);

export const documentXml = (namespace: string, content: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
  content +
  '</Document>\n';
