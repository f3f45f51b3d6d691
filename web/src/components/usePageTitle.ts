import { useEffect } from 'react';
import { appName, useTenant } from '../app/tenant';

/** Names the browser tab after the page, so tabs, history and screen readers say where a person is. */
export function usePageTitle(title: string): void {
  const name = appName(useTenant());
  useEffect(() => {
    document.title = `${title} · ${name}`;
  }, [title, name]);
}
