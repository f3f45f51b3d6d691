import { api, call } from '../../../api/client';
import type { components } from '../../../api/schema';
import { useResource } from '../../../hooks/useResource';

export type PeriodSummary = components['schemas']['CoopPeriodSummary'];
export type StatementMapping = components['schemas']['CoopStatementMapping'];

/** Where the club's accounts page is. */
export const accountsPath = (clubId: string) => `/coop/clubs/${clubId}/accounts`;

/** Where the accountant's file of a period downloads. */
export const periodExportUrl = (clubId: string, from: string, to: string, format: 'csv' | 'pdf') =>
  `/api/coop/clubs/${clubId}/books/export?${new URLSearchParams({ from, to, format })}`;

/** A period's books in sum; nothing is read while the period is not one the server takes. */
export function usePeriodSummary(clubId: string, period: { from: string; to: string } | null) {
  return useResource(`coop-period-summary:${clubId}:${period?.from}:${period?.to}`, async () =>
    period
      ? call(
          api.GET('/api/coop/clubs/{id}/books/summary', {
            params: { path: { id: clubId }, query: period },
          }),
        )
      : null,
  );
}

/** How the club's banks' CSV statements read, by bank. */
export function useStatementMappings(clubId: string) {
  return useResource(
    `coop-statement-mappings:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/statement-mappings', { params: { path: { id: clubId } } })))
        .items,
  );
}
