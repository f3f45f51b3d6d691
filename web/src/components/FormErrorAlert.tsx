import { Alert, Anchor } from '@mantine/core';
import { Link } from 'react-router';
import type { FormProblem } from '../lib/serverErrors';

/** A server error that belongs to no single field, shown above the submit button with its next step. */
export function FormErrorAlert({ message }: { message: string | FormProblem | null }) {
  if (!message) return null;
  const problem = typeof message === 'string' ? { message } : message;
  return (
    <Alert color="red" variant="light" role="alert">
      {problem.message}
      {problem.next && (
        <>
          {' '}
          <Anchor component={Link} to={problem.next.to} inherit>
            {problem.next.label}
          </Anchor>
        </>
      )}
    </Alert>
  );
}
