import type { ReactNode } from 'react';
import type { LoadedState } from '../hooks/useResource';
import { ErrorState, LoadingState } from './States';

/**
 * The three states every loaded part of a page has: loading, failed (with a retry), and loaded —
 * or loaded but empty, when `isEmpty` says so and an `empty` state is given.
 */
export function ResourceView<T>({
  resource,
  loadingLabel,
  isEmpty,
  empty,
  children,
}: {
  resource: LoadedState<T>;
  loadingLabel: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { data, error, loading, reload } = resource;
  if (error && !loading) return <ErrorState error={error} onRetry={() => void reload()} />;
  if (data === undefined) return <LoadingState label={loadingLabel} />;
  if (empty !== undefined && isEmpty?.(data)) return <>{empty}</>;
  return <>{children(data)}</>;
}
