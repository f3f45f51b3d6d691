import { Alert, Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

export interface Refusal {
  message: string;
  /** The next step, as a link (UI.md "Errors are sentences … with the next step as a link"). */
  next?: { to: string; label: string };
}

/** A refusal that belongs to no single field, above the form's button, with its next step. */
export function RefusalAlert({ refusal }: { refusal: Refusal | null }) {
  if (!refusal) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      <Text size="sm">
        {refusal.message}
        {refusal.next && (
          <>
            {' '}
            <Anchor component={Link} to={refusal.next.to} size="sm">
              {refusal.next.label}
            </Anchor>
          </>
        )}
      </Text>
    </Alert>
  );
}
