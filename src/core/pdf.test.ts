import { describe, expect, it } from 'vitest';
import { renderPdf } from './pdf';

/** The text a PDF shows, from pdfkit's hex-encoded, WinAnsi strings in uncompressed content streams. */
function shownText(pdf: Buffer): string {
  const content = pdf.toString('latin1');
  return [...content.matchAll(/<([0-9a-f]+)>/g)]
    .map((match) => Buffer.from(match[1]!, 'hex').toString('latin1'))
    .join('');
}

const input = {
  title: 'Order sheet — Green Valley',
  createdAt: new Date('2026-06-01T09:00:00Z'),
  uncompressed: true,
  blocks: [
    { kind: 'facts' as const, facts: [['Order', 'June week 1']] as const },
    {
      kind: 'table' as const,
      columns: [
        { label: 'Product', width: 300 },
        { label: 'Quantity', width: 80, align: 'right' as const },
        { label: 'Total', width: 100, align: 'right' as const },
      ],
      rows: Array.from({ length: 60 }, (_, i) => [`Carrots ${i + 1}`, `${i + 1}`, `${(i + 1) * 2}.50 EUR`]),
      total: ['Total', '1830', '3810.00 EUR'],
    },
  ],
};

describe('a PDF document', () => {
  it('shows its title, facts and every table row, across pages', async () => {
    const pdf = await renderPdf(input);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = shownText(pdf);
    for (const expected of ['Order', 'June week 1', 'Carrots 1', 'Carrots 60', '120.50 EUR', '3810.00 EUR']) {
      expect(text).toContain(expected);
    }
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('renders the same input to the same bytes', async () => {
    expect((await renderPdf(input)).equals(await renderPdf(input))).toBe(true);
  });
});
