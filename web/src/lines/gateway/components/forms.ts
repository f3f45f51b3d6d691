export { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';

/** A fresh key for a request that changes something: a double click or a retry applies it once. */
export const newIdempotencyKey = () => crypto.randomUUID();

/**
 * Placeholder text dark enough for AA contrast (UI.md): Mantine's default placeholder grey is
 * lighter than 4.5:1 on white. Give inputs with a placeholder `styles={readablePlaceholder}`.
 */
export const readablePlaceholder = {
  input: { '--input-placeholder-color': 'var(--mantine-color-gray-7)' } as React.CSSProperties,
};
