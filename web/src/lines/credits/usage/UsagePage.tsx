import { Button, Collapse, Stack } from '@mantine/core';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { LoadOlder } from '../../../components/LoadOlder';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useIsPhone } from '../../../hooks/useIsPhone';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { UsageFiltersForm } from './UsageFiltersForm';
import { UsageTable } from './UsageTable';
import { exportHref, filtersFromSearch, queryFromFilters, searchFromFilters } from './usageFilters';
import { useUsageContext } from './useUsageContext';

const PAGE_SIZE = 50;

/** /credits/usage: every credit used, filterable, page by page, exportable as CSV. */
export function UsagePage() {
  const { prices } = useCredits();
  const context = useUsageContext();
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const loadPage = useCallback(
    (cursor?: string, limit = PAGE_SIZE) =>
      call(
        api.GET('/api/credits/usages', {
          params: { query: { ...queryFromFilters(filters), cursor, limit } },
        }),
      ),
    [filters],
  );
  const pages = useCursorPages(`credits-usages:${search}`, loadPage);
  // On a phone the filters fold away, so the usages come first.
  const isPhone = useIsPhone();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const activeFilters = [...new URLSearchParams(search).keys()].length;

  return (
    <>
      <PageHeader
        title="Usage history"
        description="Every credit used: on which action, for what, in which workspace, and which grants paid."
        actions={
          <Button component="a" href={exportHref(filters)} download variant="default">
            Export all as CSV
          </Button>
        }
      />
      <CreditsTabs />
      <Stack gap="lg">
        <SectionCard
          title="Filters"
          description={activeFilters > 0 ? `${activeFilters} applied` : undefined}
          actions={
            isPhone && (
              <Button
                size="xs"
                variant="default"
                aria-expanded={filtersOpen}
                aria-controls="usage-filters"
                onClick={() => setFiltersOpen((open) => !open)}
              >
                {filtersOpen ? 'Hide filters' : 'Show filters'}
              </Button>
            )
          }
        >
          <Collapse expanded={!isPhone || filtersOpen} id="usage-filters">
            <UsageFiltersForm
              key={search}
              filters={filters}
              prices={prices.data ?? []}
              workspaces={context.workspaces ?? []}
              onApply={(applied) => {
                setSearchParams(searchFromFilters(applied));
                setFiltersOpen(false);
              }}
            />
          </Collapse>
        </SectionCard>
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the usage history…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title={search ? 'No usage matches' : 'No credits used yet'}>
              {search
                ? 'Change or clear the filters.'
                : 'Credits are used when you invite someone to a workspace or your application charges an action; creating a workspace reserves its price for the work done in it.'}
            </NothingYet>
          }
        >
          {() => <UsageTable usages={pages.items} context={context} moreToLoad={pages.hasMore} />}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older usages" />
      </Stack>
    </>
  );
}
