import {
  Button,
  Card,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { type ReactNode, useMemo, useState } from 'react';
import { useIsPhone } from '../hooks/useIsPhone';
import {
  csvFileName,
  type DataColumn,
  rowSearchText,
  type SortDirection,
  searchRows,
  sortRows,
  type TableSort,
  tableCsv,
} from '../lib/table';

export type { TableSort } from '../lib/table';

export interface Column<T> extends DataColumn<T> {
  /** How the cell looks; a column without one is only exported (an email beside the name shown). */
  cell?: (row: T) => ReactNode;
  align?: 'left' | 'right';
  /** Keeps the cell on one line (amounts, times, badges). */
  nowrap?: boolean;
  /** The heading of the row's card on a phone; without it, the first column's cell. */
  cardTitle?: boolean;
}

/** Has the browser save `text` as the file `name`. */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** "Sorting, search and export cover", as far as this table offers them. */
function whatCovers(search: boolean, exportable: boolean): string {
  const features = ['Sorting', ...(search ? ['search'] : []), ...(exportable ? ['export'] : [])];
  if (features.length === 1) return 'Sorting covers';
  return `${features.slice(0, -1).join(', ')} and ${features[features.length - 1]} cover`;
}

const nextDirection = (sort: TableSort | null, columnId: string): SortDirection =>
  sort?.columnId === columnId && sort.direction === 'ascending' ? 'descending' : 'ascending';

/**
 * Every table of the web app (UI.md "Tables"): a column with a sort value sorts when its header is
 * clicked, a search box keeps the rows whose text matches, "Download CSV" saves the rows as shown
 * (searched and sorted), and on a phone each row is a card, so no number hides behind sideways
 * scrolling. A list the API pages is sorted, searched and exported as far as it is loaded, and the
 * table says so.
 */
export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  searchLabel,
  searchText,
  exportName,
  initialSort,
  moreToLoad = false,
  minWidth = 720,
  toolbar,
}: {
  /** The table's accessible name (and its cards' list's). */
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** The search box's label; a table with neither this nor `searchText` has no search box. */
  searchLabel?: string;
  /** The text a search reads in a row; by default, its exported columns' text. */
  searchText?: (row: T) => string;
  /** The CSV file's name before its date (`purchases` → `purchases-2025-06-01.csv`); without it, no download. */
  exportName?: string;
  initialSort?: TableSort;
  /** The API holds more rows than are loaded ("Load older" below the table). */
  moreToLoad?: boolean;
  minWidth?: number;
  /** More controls beside the search box (a filter). */
  toolbar?: ReactNode;
}) {
  const isPhone = useIsPhone();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<TableSort | null>(initialSort ?? null);
  const searchable = searchLabel !== undefined || searchText !== undefined;
  const shownColumns = columns.filter((column) => column.cell);
  const sortable = columns.filter((column) => column.sortValue);

  const shown = useMemo(() => {
    const textOf = searchText ?? ((row: T) => rowSearchText(row, columns));
    return sortRows(searchable ? searchRows(rows, query, textOf) : rows, columns, sort);
  }, [rows, columns, query, searchable, searchText, sort]);

  const exportCsv = () => download(csvFileName(exportName ?? label, new Date()), tableCsv(shown, columns));

  const controls = (searchable || exportName || toolbar || (isPhone && sortable.length > 0)) && (
    <Group justify="space-between" align="flex-end" gap="sm">
      <Group gap="sm" align="flex-end">
        {searchable && (
          <TextInput
            label={searchLabel ?? 'Search'}
            type="search"
            value={query}
            onChange={(event) => setQuery(event.currentTarget.value)}
            w={260}
          />
        )}
        {searchable && (
          <Text size="sm" c="dimmed" pb={8} role="status">
            {shown.length} of {rows.length}
          </Text>
        )}
        {isPhone && sortable.length > 0 && (
          <NativeSelect
            label="Sort by"
            value={sort ? `${sort.columnId}:${sort.direction}` : ''}
            onChange={(event) => {
              const [columnId = '', direction] = event.currentTarget.value.split(':');
              setSort(columnId ? { columnId, direction: direction as SortDirection } : null);
            }}
            data={[
              { value: '', label: 'As listed' },
              ...sortable.flatMap((column) => [
                { value: `${column.id}:ascending`, label: `${column.header}, ascending` },
                { value: `${column.id}:descending`, label: `${column.header}, descending` },
              ]),
            ]}
          />
        )}
        {toolbar}
      </Group>
      {exportName && (
        <Button variant="default" size="sm" onClick={exportCsv} disabled={shown.length === 0}>
          Download CSV
        </Button>
      )}
    </Group>
  );

  const loadedNote = moreToLoad && (
    <Text size="xs" c="dimmed">
      {whatCovers(searchable, Boolean(exportName))} the {rows.length} {rows.length === 1 ? 'row' : 'rows'}{' '}
      loaded; load older ones below to include them.
    </Text>
  );

  const nothingMatches = rows.length > 0 && shown.length === 0 && (
    <Text size="sm" c="dimmed">
      Nothing matches “{query.trim()}”.
    </Text>
  );

  if (isPhone) {
    const titleColumn = shownColumns.find((column) => column.cardTitle) ?? shownColumns[0];
    const rest = shownColumns.filter((column) => column !== titleColumn);
    return (
      <Stack gap="sm">
        {controls}
        {loadedNote}
        {nothingMatches}
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={label}>
          {shown.map((row) => (
            <Card key={rowKey(row)} withBorder padding="sm" component="li">
              <Stack gap={4}>
                {titleColumn && (
                  <Text fw={600} component="div" style={{ overflowWrap: 'anywhere' }}>
                    {titleColumn.cell?.(row)}
                  </Text>
                )}
                {rest.map((column) => (
                  <Group key={column.id} justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                    <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                      {column.header}
                    </Text>
                    <Text size="sm" ta="right" component="div" style={{ overflowWrap: 'anywhere' }}>
                      {column.cell?.(row)}
                    </Text>
                  </Group>
                ))}
              </Stack>
            </Card>
          ))}
        </Stack>
      </Stack>
    );
  }

  return (
    <Stack gap="sm">
      {controls}
      {loadedNote}
      {nothingMatches}
      <Table.ScrollContainer minWidth={minWidth}>
        <Table aria-label={label} fz="sm" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              {shownColumns.map((column) => {
                const sorted = sort?.columnId === column.id ? sort.direction : undefined;
                return (
                  <Table.Th
                    key={column.id}
                    ta={column.align}
                    aria-sort={column.sortValue ? (sorted ?? 'none') : undefined}
                  >
                    {column.sortValue ? (
                      <UnstyledButton
                        onClick={() =>
                          setSort({ columnId: column.id, direction: nextDirection(sort, column.id) })
                        }
                        fw={700}
                        fz="sm"
                        style={{ whiteSpace: 'nowrap' }}
                      >
                        {column.header}
                        <span aria-hidden>
                          {' '}
                          {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}
                        </span>
                      </UnstyledButton>
                    ) : (
                      column.header
                    )}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((row) => (
              <Table.Tr key={rowKey(row)}>
                {shownColumns.map((column) => (
                  <Table.Td
                    key={column.id}
                    ta={column.align}
                    style={{
                      whiteSpace: column.nowrap ? 'nowrap' : undefined,
                      fontVariantNumeric: column.align === 'right' ? 'tabular-nums' : undefined,
                    }}
                  >
                    {column.cell?.(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
