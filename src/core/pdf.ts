import PDFDocument from 'pdfkit';

/**
 * PDF documents (an order sheet for a producer, an invoice), described as blocks and rendered with
 * pdfkit's built-in fonts, so nothing is installed on the machine. Text is what the caller gives:
 * amounts arrive formatted (exact, with their asset), never as numbers to round here.
 */

export type PdfBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** Labelled values, one per line. */
  | { kind: 'facts'; facts: readonly (readonly [string, string])[] }
  /** A table; `align` per column, `right` for amounts and counts. */
  | {
      kind: 'table';
      columns: readonly { label: string; width: number; align?: 'left' | 'right' }[];
      rows: readonly (readonly string[])[];
      /** A last row in bold (a total). */
      total?: readonly string[];
    };

export interface PdfDocumentInput {
  title: string;
  /** Stamped in the document's information: the clock's, so one input renders the same bytes. */
  createdAt: Date;
  blocks: readonly PdfBlock[];
  /** Uncompressed streams, for tests that read the text back. */
  uncompressed?: boolean;
}

const MARGIN = 50;
const ROW_HEIGHT = 18;

export function renderPdf(input: PdfDocumentInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    compress: !input.uncompressed,
    info: { Title: input.title, Producer: 'Tally', Creator: 'Tally', CreationDate: input.createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(input.title);
  doc.moveDown();
  for (const block of input.blocks) {
    switch (block.kind) {
      case 'heading':
        doc.moveDown(0.5).font('Helvetica-Bold').fontSize(13).text(block.text).moveDown(0.3);
        break;
      case 'paragraph':
        doc.font('Helvetica').fontSize(10).text(block.text).moveDown(0.5);
        break;
      case 'facts':
        for (const [label, value] of block.facts) {
          doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true });
          doc.font('Helvetica').text(value);
        }
        doc.moveDown(0.5);
        break;
      case 'table':
        drawTable(doc, block);
        break;
    }
  }
  doc.end();
  return done;
}

function drawTable(doc: PDFKit.PDFDocument, table: Extract<PdfBlock, { kind: 'table' }>): void {
  const bottom = doc.page.height - MARGIN;
  const drawRow = (cells: readonly string[], font: string) => {
    if (doc.y + ROW_HEIGHT > bottom) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    doc.font(font).fontSize(9);
    table.columns.forEach((column, i) => {
      doc.text(cells[i] ?? '', x + 2, y + 4, {
        width: column.width - 4,
        align: column.align ?? 'left',
        lineBreak: false,
      });
      x += column.width;
    });
    doc
      .moveTo(MARGIN, y + ROW_HEIGHT)
      .lineTo(x, y + ROW_HEIGHT)
      .lineWidth(0.5)
      .strokeColor('#cccccc')
      .stroke();
    doc.x = MARGIN;
    doc.y = y + ROW_HEIGHT;
  };
  drawRow(
    table.columns.map((column) => column.label),
    'Helvetica-Bold',
  );
  for (const row of table.rows) drawRow(row, 'Helvetica');
  if (table.total) drawRow(table.total, 'Helvetica-Bold');
  doc.moveDown();
}

/** The headers of a PDF download. */
export function pdfHeaders(filename: string): Record<string, string> {
  const safe = filename.replace(/[^\w.-]+/g, '-');
  return {
    'content-type': 'application/pdf',
    'content-disposition': `attachment; filename="${safe}"`,
    'x-content-type-options': 'nosniff',
  };
}
