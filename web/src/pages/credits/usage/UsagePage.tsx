import { Button, Collapse, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CreditsUsage } from '../../../api/types';
import { LoadOlder } from '../../../components/LoadOlder';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { useCredits } from '../CreditsLayout';
import { CreditsTabs } from '../CreditsTabs';
import { useIsPhone } from '../useIsPhone';
import { UsageFiltersForm } from './UsageFiltersForm';
import { UsageTable } from './UsageTable';
import { filtersFromSearch, queryFromFilters, searchFromFilters, usagesCsv } from './usageFilters';
import { useUsageContext } from './useUsageContext';

const PAGE_SIZE = 50;
const EXPORT_PAGE_SIZE = 200;
/** The export reads page after page; past this many rows, narrow the filters. */
const EXPORT_MAX_ROWS = 20_000;

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  URL.revokeObjectURL(url);
}

/** /credits/usage: every credit used, filterable, page by page, exportable as CSV. */
export function UsagePage() {
  const { prices } = useCredits();
  const context = useUsageContext();
  const [searchParams, setSearchParams] = useSearchParams();
  const search = searchParams.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const loadPage = useCallback(
    (before?: string, limit = PAGE_SIZE) =>
      call(
        api.GET('/api/credits/usages', {
          params: { query: { ...queryFromFilters(filters), before, limit } },
        }),
      ),
    [filters],
  );
  const pages = useCursorPages(`credits-usages:${search}`, loadPage);
  const [exporting, setExporting] = useState(false);
  // On a phone the filters fold away, so the usages come first.
  const isPhone = useIsPhone();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const activeFilters = [...new URLSearchParams(search).keys()].length;

  const exportCsv = async () => {
    setExporting(true);
    try {
      const rows: CreditsUsage[] = [];
      let before: string | undefined;
      do {
        const page = await loadPage(before, EXPORT_PAGE_SIZE);
        rows.push(...page.items);
        before = page.next_cursor ?? undefined;
      } while (before && rows.length < EXPORT_MAX_ROWS);
      download('credit-usages.csv', usagesCsv(rows));
      if (before) {
        notifications.show({
          color: 'orange',
          message: `Exported the newest ${rows.length} usages; narrow the filters to export older ones.`,
        });
      }
    } catch (error) {
      notifications.show({ color: 'red', message: asApiError(error).message });
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Usage history"
        description="Every credit used: on which action, for what, in which workspace, and which grants paid."
        actions={
          <Button variant="default" loading={exporting} onClick={() => void exportCsv()}>
            Export CSV
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
          {() => <UsageTable usages={pages.items} context={context} />}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older usages" />
      </Stack>
    </>
  );
}
