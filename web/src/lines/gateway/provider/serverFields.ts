/** The checks a server's fields run as a person types: the server's own rules, said early. */

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const RESERVED_HEADERS = [
  'host',
  'content-type',
  'content-length',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'connection',
  'transfer-encoding',
];

export function checkSlug(value: string): string | null {
  if (!value) return 'Enter the path, such as weather-tools';
  return SLUG.test(value)
    ? null
    : 'Lower-case letters, digits and -, 2 to 63 characters, not starting with -';
}

/** `Weather Tools!` → `weather-tools`: the path a name suggests. */
export function slugFrom(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function checkUpstreamUrl(value: string): string | null {
  if (!value.trim()) return 'Enter the Streamable HTTP URL of the MCP server';
  if (value.length > 2000) return 'Use at most 2,000 characters';
  return isHttpUrl(value.trim())
    ? null
    : 'Enter an http:// or https:// URL, such as https://mcp.example.com/mcp';
}

export function checkOptionalUrl(value: string): string | null {
  if (!value.trim()) return null;
  return isHttpUrl(value.trim()) ? null : 'Enter an http:// or https:// URL, or leave it empty';
}

export function checkDescription(value: string): string | null {
  return value.length > 2000 ? 'Use at most 2,000 characters' : null;
}

/** A header Tally sends the upstream: a name and a value, both or neither. */
export function checkHeaderName(value: string, values: { header_value: string }): string | null {
  if (!value.trim()) return values.header_value ? 'Enter the header’s name, such as Authorization' : null;
  if (!HEADER_NAME.test(value.trim())) return 'A header name is letters, digits and - (such as X-Api-Key)';
  if (RESERVED_HEADERS.includes(value.trim().toLowerCase())) return 'HTTP and MCP set this header themselves';
  return null;
}

export function checkHeaderValue(value: string, values: { header_name: string }): string | null {
  if (!value) return values.header_name.trim() ? 'Enter the header’s value' : null;
  if (value.length > 4000) return 'Use at most 4,000 characters';
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? null : 'One line of printable characters';
}

/** Where the API's field names land in the server forms. */
export const serverFieldNames = {
  'upstream_header.name': 'header_name',
  'upstream_header.value': 'header_value',
  upstream_header: 'header_name',
};
