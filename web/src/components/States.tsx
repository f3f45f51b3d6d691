import { Alert, Button, Center, EmptyState, Group, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import type { ApiError } from '../api/errors';
import { withNext } from '../session/nextPath';

export function LoadingState({ label }: { label: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

function errorTitle(error: ApiError): string {
  if (error.status === 0) return 'Tally could not be reached';
  if (error.status === 401) return 'Sign in to see this';
  if (error.status === 403) return 'You may not see this';
  if (error.status === 404) return 'Not found';
  if (error.status === 429) return 'Too many requests';
  if (error.status >= 500) return 'Tally ran into a problem';
  return 'This could not be loaded';
}

/** A failure to load, in words, with the server's own message and a way to try again. */
export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { pathname, search } = useLocation();
  return (
    <Alert color="red" variant="light" title={errorTitle(error)} role="alert">
      <Stack gap="xs">
        <Text size="sm">{error.message}</Text>
        {error.code && (
          <Text size="xs" c="dimmed">
            {error.status > 0 ? `HTTP ${error.status} · ` : ''}
            {error.code}
          </Text>
        )}
        <Group>
          {error.status === 401 && (
            <Button size="xs" component={Link} to={withNext('/login', pathname + search)}>
              Log in
            </Button>
          )}
          {onRetry && (
            <Button size="xs" variant="default" onClick={onRetry}>
              Try again
            </Button>
          )}
        </Group>
      </Stack>
    </Alert>
  );
}

/** An empty page says what to do first (UI.md). */
export function NothingYet({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <EmptyState title={title} description={children} py="xl">
      {action && <EmptyState.Actions>{action}</EmptyState.Actions>}
    </EmptyState>
  );
}
