import { useCallback, useRef } from 'react';

/**
 * After a failed submit, focus moves to the first invalid field (UI.md), so a person using the
 * keyboard or a screen reader lands on what to fix. Give the ref to the form; pass
 * `focusFirstInvalid` as the second argument of `form.onSubmit`, and call it after the server
 * refused and its errors were placed on the fields.
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
