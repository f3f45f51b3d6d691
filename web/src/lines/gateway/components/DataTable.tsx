import { Button, Card, Group, Stack, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { type ReactNode, useMemo, useState } from 'react';
import { downloadCsv, toCsv } from './csv';
import { useIsPhone } from './useIsPhone';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** What the column sorts by; a column without one does not sort. */
  sortValue?: (row: T) => string | number | bigint | null;
  /** The column's CSV value; a column without one is left out of the export. */
  csv?: (row: T) => string;
  align?: 'left' | 'right';
  /** Keeps the cell on one line (amounts, times, badges). */
  nowrap?: boolean;
}

type Direction = 'ascending' | 'descending';

function compare(a: string | number | bigint | null, b: string | number | bigint | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return a < b ? -1 : 1;
}

/**
 * The gateway's tables (UI.md "Tables"): every column with a sort value sorts, a search box filters
 * what is loaded, the rows export to CSV, and on a phone each row is a card, so no number hides
 * behind sideways scrolling.
 */
export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  searchText,
  searchLabel = 'Search',
  csvName,
  initialSort,
  minWidth = 720,
  toolbar,
}: {
  /** The table's accessible name (and its cards' list). */
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** The text a search matches in a row; without it, no search box. */
  searchText?: (row: T) => string;
  searchLabel?: string;
  /** The CSV file's name; without it, no export. */
  csvName?: string;
  initialSort?: { key: string; direction: Direction };
  minWidth?: number;
  /** More controls beside the search box (a filter). */
  toolbar?: ReactNode;
}) {
  const isPhone = useIsPhone();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: string; direction: Direction } | null>(initialSort ?? null);

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const found =
      needle && searchText ? rows.filter((row) => searchText(row).toLowerCase().includes(needle)) : rows;
    const column = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !column?.sortValue) return found;
    const value = column.sortValue;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    return [...found].sort((a, b) => sign * compare(value(a), value(b)));
  }, [rows, columns, query, searchText, sort]);

  const exportCsv = () => {
    const exported = columns.filter((column) => column.csv);
    downloadCsv(
      csvName ?? 'export.csv',
      toCsv(
        exported.map((column) => column.header),
        shown.map((row) => exported.map((column) => column.csv!(row))),
      ),
    );
  };

  const sortBy = (key: string) =>
    setSort((current) => ({
      key,
      direction: current?.key === key && current.direction === 'ascending' ? 'descending' : 'ascending',
    }));

  const controls = (searchText || csvName || toolbar) && (
    <Group justify="space-between" align="flex-end" gap="sm">
      <Group gap="sm" align="flex-end">
        {searchText && (
          <TextInput
            label={searchLabel}
            type="search"
            value={query}
            onChange={(event) => setQuery(event.currentTarget.value)}
            w={260}
          />
        )}
        {toolbar}
      </Group>
      {csvName && (
        <Button variant="default" size="sm" onClick={exportCsv} disabled={shown.length === 0}>
          Export CSV
        </Button>
      )}
    </Group>
  );

  const nothingMatches = rows.length > 0 && shown.length === 0 && (
    <Text size="sm" c="dimmed" role="status">
      Nothing matches “{query.trim()}”.
    </Text>
  );

  if (isPhone) {
    const [first, ...rest] = columns;
    return (
      <Stack gap="sm">
        {controls}
        {nothingMatches}
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={label}>
          {shown.map((row) => (
            <Card key={rowKey(row)} withBorder padding="sm" component="li">
              <Stack gap={4}>
                {first && <Text fw={600}>{first.render(row)}</Text>}
                {rest.map((column) => (
                  <Group key={column.key} justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                    <Text size="xs" c="dimmed">
                      {column.header}
                    </Text>
                    <Text size="sm" ta="right" component="div" style={{ overflowWrap: 'anywhere' }}>
                      {column.render(row)}
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
      {nothingMatches}
      <Table.ScrollContainer minWidth={minWidth}>
        <Table aria-label={label} fz="sm" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => {
                const sorted = sort?.key === column.key ? sort.direction : undefined;
                return (
                  <Table.Th
                    key={column.key}
                    ta={column.align}
                    aria-sort={column.sortValue ? (sorted ?? 'none') : undefined}
                  >
                    {column.sortValue ? (
                      <UnstyledButton
                        onClick={() => sortBy(column.key)}
                        fw={700}
                        fz="sm"
                        aria-label={`${column.header}: sort ${sorted === 'ascending' ? 'descending' : 'ascending'}`}
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
                {columns.map((column) => (
                  <Table.Td
                    key={column.key}
                    ta={column.align}
                    style={{
                      whiteSpace: column.nowrap ? 'nowrap' : undefined,
                      fontVariantNumeric: column.align === 'right' ? 'tabular-nums' : undefined,
                    }}
                  >
                    {column.render(row)}
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
