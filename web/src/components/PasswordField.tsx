import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/** Mantine's PasswordInput marks an error only with data-invalid; screen readers need aria-invalid too. */
export function PasswordField(props: PasswordInputProps) {
  return <PasswordInput aria-invalid={Boolean(props.error)} {...props} />;
}
