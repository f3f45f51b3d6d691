import { Alert } from '@mantine/core';

/** A server error that belongs to no single field, shown above the submit button. */
export function FormErrorAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {message}
    </Alert>
  );
}
