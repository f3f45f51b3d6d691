import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

const URL_IN_TEXT = /https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g;

/** A link to a page of this Tally stays in the app; any other opens in a new tab. */
function TextLink({ href }: { href: string }) {
  const url = new URL(href);
  if (url.origin === window.location.origin) {
    return (
      <Anchor component={Link} to={url.pathname + url.search + url.hash}>
        {href}
      </Anchor>
    );
  }
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer">
      {href}
    </Anchor>
  );
}

/** Plain text with its http(s) addresses made clickable; everything else stays text (no HTML is parsed). */
export function linkify(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const start = match.index;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(<TextLink key={`${start}-${match[0]}`} href={match[0]} />);
    last = start + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
