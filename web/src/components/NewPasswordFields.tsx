import type { GetInputPropsReturnType } from '@mantine/form';
import { PASSWORD_MIN_LENGTH } from '../lib/validators';
import { PasswordField } from './PasswordField';

/** A new password and the same again, with the rule beside the first (validated by checkNewPassword and checkRepeated). */
export function NewPasswordFields({
  password,
  repeat,
  labels = ['New password', 'New password, again'],
}: {
  password: GetInputPropsReturnType;
  repeat: GetInputPropsReturnType;
  labels?: readonly [string, string];
}) {
  return (
    <>
      <PasswordField
        label={labels[0]}
        description={`At least ${PASSWORD_MIN_LENGTH} characters`}
        autoComplete="new-password"
        required
        {...password}
      />
      <PasswordField label={labels[1]} autoComplete="new-password" required {...repeat} />
    </>
  );
}
