/**
 * What a file is, read from its first bytes (its magic number), never from the name or the
 * Content-Type a client sent: a page cannot pass off HTML or a script as an image.
 */
export const uploadTypes = {
  'application/pdf': {
    extension: 'pdf',
    matches: (b: Buffer) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  },
  'image/png': {
    extension: 'png',
    matches: (b: Buffer) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  'image/jpeg': { extension: 'jpg', matches: (b: Buffer) => startsWith(b, [0xff, 0xd8, 0xff]) },
  // An XML document (a bank statement): a '<' first, after an optional byte-order mark and blank space.
  'application/xml': {
    extension: 'xml',
    matches: (b: Buffer) => /^(\uFEFF)?\s*<[?!A-Za-z]/.test(b.subarray(0, 64).toString('utf8')),
  },
  // Plain text with a header line of columns (a bank's CSV export): UTF-8, no control characters but
  // line ends and tabs, and a comma or a semicolon in its first line.
  'text/csv': {
    extension: 'csv',
    matches: (b: Buffer) => {
      const head = b.subarray(0, 4096).toString('utf8');
      const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
      return (
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
        !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(head) &&
        /[,;]/.test(firstLine) &&
        !head.trimStart().startsWith('<')
      );
    },
  },
  'image/webp': {
    extension: 'webp',
    matches: (b: Buffer) =>
      startsWith(b, [0x52, 0x49, 0x46, 0x46]) && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
} as const;

export type UploadType = keyof typeof uploadTypes;

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/** The type of the bytes among `allowed`, or null when they are none of them. */
export function sniffType(bytes: Buffer, allowed: readonly UploadType[]): UploadType | null {
  return allowed.find((type) => uploadTypes[type].matches(bytes)) ?? null;
}
