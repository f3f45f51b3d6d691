import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, asApiError } from '../api/errors';

export interface Resource<T> {
  /** The last data that loaded; kept while a reload runs, so the page does not flash. */
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data after a change the page made itself (an edit the server confirmed). */
  replace: (data: T) => void;
}

/**
 * Loads something for a page and tracks its loading, error and data. `key` names what is loaded
 * (an id, a filter): when it changes, the old data is dropped and the new is loaded; an answer that
 * arrives after the key moved on is ignored.
 */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError; loading: boolean }>({
    key,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const currentKey = useRef(key);
  currentKey.current = key;

  const fetchFor = useCallback(async (forKey: string) => {
    setState((previous) =>
      previous.key === forKey ? { ...previous, loading: true } : { key: forKey, loading: true },
    );
    try {
      const data = await loadRef.current();
      if (currentKey.current === forKey) setState({ key: forKey, data, loading: false });
    } catch (error) {
      if (currentKey.current === forKey) {
        setState((previous) => ({ ...previous, key: forKey, error: asApiError(error), loading: false }));
      }
    }
  }, []);

  useEffect(() => {
    void fetchFor(key);
  }, [key, fetchFor]);

  const reload = useCallback(() => fetchFor(currentKey.current), [fetchFor]);
  const replace = useCallback((data: T) => setState({ key: currentKey.current, data, loading: false }), []);

  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: fresh ? state.loading : true,
    reload,
    replace,
  };
}
