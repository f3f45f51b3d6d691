import { useCallback, useRef } from 'react';

/**
 * After a failed submit, focus moves to the first invalid field (UI.md). Give the ref to the form;
 * call `focusFirstInvalid` when the page's check or the server refused.
 */
export function useFocusFirstInvalid() {
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useCallback(() => {
    // After the render that marks the fields.
    requestAnimationFrame(() => {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  }, []);
  return { formRef, focusFirstInvalid };
}

/** A fresh key for a request that changes something: a double click or a retry applies it once. */
export const newIdempotencyKey = () => crypto.randomUUID();

/**
 * Placeholder text dark enough for AA contrast (UI.md): Mantine's default placeholder grey is
 * lighter than 4.5:1 on white. Give inputs with a placeholder `styles={readablePlaceholder}`.
 */
export const readablePlaceholder = {
  input: { '--input-placeholder-color': 'var(--mantine-color-gray-7)' } as React.CSSProperties,
};
