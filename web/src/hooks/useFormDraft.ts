import type { UseFormReturnType } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';
import { draftKey, registerDraft, takeDraft } from '../session/formDrafts';

type Values = Record<string, unknown>;

/** The draft's values the form has, of the same type: a stale or tampered draft cannot add fields. */
function fitting<T extends object>(draft: Values, current: T): Partial<T> {
  const kept: Values = {};
  for (const [name, value] of Object.entries(draft)) {
    if (name in current && typeof value === typeof (current as Values)[name]) kept[name] = value;
  }
  return kept as Partial<T>;
}

/**
 * Keeps what is typed in a form across a log-in, should the session end before it is sent (see
 * session/formDrafts): `read` gives the values, `restore` puts a kept draft back when the form is
 * mounted again on the same page. `secret` names the fields never kept (passwords, keys).
 */
export function useDraft<T extends object>(
  name: string,
  read: () => T,
  restore: (draft: Partial<T>) => void,
  secret: readonly (keyof T)[] = [],
): void {
  const { pathname } = useLocation();
  const key = draftKey(pathname, name);
  const reading = useRef(read);
  reading.current = read;
  const restoring = useRef(restore);
  restoring.current = restore;
  const secrets = useRef(secret);
  secrets.current = secret;

  useEffect(
    () =>
      registerDraft(key, () =>
        Object.fromEntries(
          Object.entries(reading.current()).filter(([field]) => !secrets.current.includes(field as keyof T)),
        ),
      ),
    [key],
  );
  useEffect(() => {
    const draft = takeDraft(key);
    if (!draft) return;
    const kept = fitting(draft, reading.current());
    for (const field of secrets.current) delete kept[field];
    if (Object.keys(kept).length === 0) return;
    restoring.current(kept);
    notifications.show({
      id: `draft:${key}`,
      color: 'blue',
      title: 'What you typed is back',
      message: 'Your session had ended before it was sent. Check it, then send it again.',
    });
  }, [key]);
}

/** `useDraft` for a Mantine form. */
export function useFormDraft<T extends object>(
  form: UseFormReturnType<T>,
  name: string,
  secret: readonly (keyof T)[] = [],
): void {
  useDraft(
    name,
    () => form.getValues(),
    (draft) => form.setValues(draft),
    secret,
  );
}
