import { Button, Stack } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { LoadOlder } from '../../components/LoadOlder';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { NothingYet } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { exportHref, filtersFromSearch, queryFromFilters, searchFromFilters } from './auditFilters';

const PAGE_SIZE = 50;

export function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/audit', {
          params: { query: { ...queryFromFilters(filters), limit: PAGE_SIZE, cursor } },
        }),
      ),
    [filters],
  );
  const pages = useCursorPages(`audit:${search}`, loadPage);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in Tally: who did what, to which object, when and from where."
        actions={
          <Button component="a" href={exportHref(filters)} download variant="default">
            Export CSV
          </Button>
        }
      />
      <Stack gap="lg">
        <SectionCard title="Filters">
          <AuditFiltersForm
            key={search}
            filters={filters}
            onApply={(applied) => setSearchParams(searchFromFilters(applied))}
          />
        </SectionCard>
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the audit log…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title="No entries match">
              Change or clear the filters; entries appear as people sign up, join organisations and change
              things.
            </NothingYet>
          }
        >
          {() => <AuditTable entries={pages.items} moreToLoad={pages.hasMore} />}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older entries" />
      </Stack>
    </>
  );
}
