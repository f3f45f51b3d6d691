/**
 * Mail templates: one source gives the text and the HTML of a mail. A template is written with tagged
 * strings: the literal parts are Tally's words, every `${value}` is something a person may have typed
 * (a name, an organisation), which is escaped in the HTML and kept on one line everywhere, so a
 * name can neither add markup nor new lines and links to a mail.
 */

/** A value put into a mail: escaped in HTML, its line breaks and control characters made spaces. */
type Interpolated = string | number | bigint;

interface Inline {
  literal: readonly string[];
  values: readonly Interpolated[];
}

export type MailBlock =
  | { kind: 'paragraph'; inline: Inline }
  | { kind: 'action'; label: string; url: string }
  | { kind: 'facts'; facts: readonly (readonly [string, Interpolated])[] };

export interface MailContent {
  subject: Inline;
  blocks: readonly MailBlock[];
}

export interface RenderedMail {
  template: string;
  subject: string;
  text: string;
  html: string;
}

const tagged = (literal: TemplateStringsArray, values: Interpolated[]): Inline => ({
  literal: [...literal],
  values,
});

/** A subject line. */
export const subject = (literal: TemplateStringsArray, ...values: Interpolated[]): Inline =>
  tagged(literal, values);

/** A paragraph of Tally's words with people's values in it. */
export const paragraph = (literal: TemplateStringsArray, ...values: Interpolated[]): MailBlock => ({
  kind: 'paragraph',
  inline: tagged(literal, values),
});

/** The one thing to do: a button in HTML, a labelled link in text. Only Tally's own URLs go here. */
export const action = (label: string, url: string): MailBlock => ({ kind: 'action', label, url });

/** Labelled values, one per line (an email, a temporary password). */
export const facts = (entries: readonly (readonly [string, Interpolated])[]): MailBlock => ({
  kind: 'facts',
  facts: entries,
});

/** Line breaks and other control characters: what a value may not bring into a mail. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

export const oneLine = (value: Interpolated): string => String(value).replace(CONTROL_CHARACTERS, ' ').trim();

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function joinInline(
  { literal, values }: Inline,
  value: (v: Interpolated) => string,
  text: (t: string) => string,
) {
  return literal.map((part, i) => text(part) + (i < values.length ? value(values[i]!) : '')).join('');
}

const textOf = (inline: Inline) => joinInline(inline, oneLine, (t) => t);
const htmlOf = (inline: Inline) => joinInline(inline, (v) => escapeHtml(oneLine(v)), escapeHtml);

function blockText(block: MailBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return textOf(block.inline);
    case 'action':
      return `${block.label}: ${block.url}`;
    case 'facts':
      return block.facts.map(([label, value]) => `${label}: ${oneLine(value)}`).join('\n');
  }
}

function blockHtml(block: MailBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p style="margin:0 0 16px">${htmlOf(block.inline)}</p>`;
    case 'action':
      return (
        `<p style="margin:0 0 16px"><a href="${escapeHtml(block.url)}" style="display:inline-block;padding:10px 18px;` +
        `background:#1c7ed6;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">` +
        `${escapeHtml(block.label)}</a></p>`
      );
    case 'facts':
      return `<table style="margin:0 0 16px;border-collapse:collapse">${block.facts
        .map(
          ([label, value]) =>
            `<tr><td style="padding:2px 12px 2px 0;color:#495057">${escapeHtml(label)}</td>` +
            `<td style="padding:2px 0;font-family:monospace">${escapeHtml(oneLine(value))}</td></tr>`,
        )
        .join('')}</table>`;
  }
}

/** Renders a mail to its subject, text and HTML. */
export function renderMail(template: string, content: MailContent): RenderedMail {
  const text = content.blocks.map(blockText).join('\n\n');
  const body = content.blocks.map(blockHtml).join('\n');
  const subjectText = textOf(content.subject);
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subjectText)}</title></head>` +
    `<body style="font-family:system-ui,-apple-system,sans-serif;font-size:15px;line-height:1.5;color:#212529;` +
    `max-width:560px;margin:0 auto;padding:24px">\n${body}\n</body></html>`;
  return { template, subject: subjectText, text, html };
}
