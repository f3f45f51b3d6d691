import { useEffect } from 'react';

/** Names the browser tab after the page, so tabs, history and screen readers say where a person is. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Tally`;
  }, [title]);
}
