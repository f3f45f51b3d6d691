import { Alert, Badge, Button, FileInput, Group, List, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopImportRow, CoopProducer, CoopProductImport } from '../../../api/types';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useCoopRefresh } from '../club/ClubLayout';
import { plural } from '../format';

const MAX_BYTES = 1_000_000;

const actionBadges: Record<CoopImportRow['action'], { label: string; color: string }> = {
  create: { label: 'New product', color: 'teal' },
  update: { label: 'Changes it', color: 'blue' },
  unchanged: { label: 'No change', color: 'gray' },
  invalid: { label: 'Invalid', color: 'red' },
};

const problemText = (problem: CoopImportRow['problems'][number]) =>
  problem.column ? `${problem.column}: ${problem.message}` : problem.message;

function RowsTable({ rows }: { rows: CoopImportRow[] }) {
  return (
    <DataTable
      label="Rows of the file"
      rows={rows}
      rowKey={(row) => String(row.line)}
      searchLabel="Search rows"
      exportName="import-check"
      initialSort={{ columnId: 'line', direction: 'ascending' }}
      minWidth={720}
      columns={[
        {
          id: 'line',
          header: 'Line',
          align: 'right',
          sortValue: (row) => row.line,
          csv: (row) => String(row.line),
          cell: (row) => row.line,
        },
        {
          id: 'product',
          header: 'Product',
          cardTitle: true,
          sortValue: (row) => row.name,
          csv: (row) => row.name,
          cell: (row) => (
            <span>
              {row.name || (
                <Text span c="dimmed">
                  No name
                </Text>
              )}{' '}
              <Text span size="xs" c="dimmed">
                {row.code ? `(${row.code})` : ''}
              </Text>
            </span>
          ),
        },
        {
          id: 'action',
          header: 'What saving does',
          // Invalid rows first when sorted ascending.
          sortValue: (row) => ['invalid', 'create', 'update', 'unchanged'].indexOf(row.action),
          csv: (row) => row.action,
          cell: (row) => (
            <Badge color={actionBadges[row.action].color} variant="light" style={{ overflow: 'visible' }}>
              {actionBadges[row.action].label}
            </Badge>
          ),
        },
        {
          id: 'problems',
          header: 'Problems',
          csv: (row) => row.problems.map(problemText).join('; '),
          cell: (row) =>
            row.problems.length === 0 ? (
              <Text span size="sm" c="dimmed">
                none
              </Text>
            ) : (
              <List size="sm" spacing={2} c="red.8">
                {row.problems.map((problem) => (
                  <List.Item key={problemText(problem)}>
                    {problem.column && <strong>{problem.column}</strong>}
                    {problem.column ? `: ${problem.message}` : problem.message}
                  </List.Item>
                ))}
              </List>
            ),
        },
      ]}
    />
  );
}

/**
 * Products from a spreadsheet, in two steps: the file is checked first, row by row (what saving
 * would create or change, or what is wrong, by line and column); "Save all" saves the file whole,
 * and is offered only when no row is wrong.
 */
export function ImportProducts({ producer }: { producer: CoopProducer }) {
  const refresh = useCoopRefresh();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [result, setResult] = useState<CoopProductImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'check' | 'save' | null>(null);

  const send = (text: string, save: boolean) =>
    call(
      api.POST('/api/coop/producers/{id}/products/import', {
        params: { path: { id: producer.id } },
        body: { csv: text, save },
      }),
    );

  const check = async () => {
    setError(null);
    setResult(null);
    if (!file) {
      setFileError('Choose the CSV file to check');
      return;
    }
    if (file.size > MAX_BYTES) {
      setFileError('The file is larger than 1 MB: split it in parts');
      return;
    }
    setBusy('check');
    try {
      const text = await file.text();
      setCsv(text);
      setResult(await send(text, false));
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(null);
    }
  };
  const save = async () => {
    if (csv === null) return;
    setBusy('save');
    setError(null);
    try {
      const saved = await send(csv, true);
      setResult(saved);
      if (saved.saved) {
        notifications.show({
          color: 'teal',
          message: `Saved: ${plural(saved.counts.create, 'new product')}, ${plural(saved.counts.update, 'product')} changed.`,
        });
        setFile(null);
        setCsv(null);
        setResult(null);
        await refresh();
      }
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(null);
    }
  };

  const counts = result?.counts;
  const changes = counts ? counts.create + counts.update : 0;
  return (
    <Stack gap="md">
      <Text size="sm">
        One row per product, with a header line naming the columns: <code>code</code>, <code>name</code>,{' '}
        <code>unit</code>, <code>amount_per_package</code>, <code>price</code> and <code>vat_percent</code>{' '}
        are needed; <code>description</code>, <code>categories</code> (separated by <code>;</code>),{' '}
        <code>packages</code>, <code>estimate</code>, <code>maximum_available</code>,{' '}
        <code>margin_percent</code>, <code>origin</code> and <code>ingredients</code> may be added. A row
        whose reference the producer has already changes that product; products missing from the file stay as
        they are. Download the products as CSV for a file to start from.
      </Text>
      <Group align="flex-end" gap="sm">
        <FileInput
          label="CSV file"
          accept=".csv,text/csv"
          placeholder="Choose a file"
          clearable
          value={file}
          onChange={(chosen) => {
            setFile(chosen);
            setFileError(null);
            setResult(null);
            setCsv(null);
          }}
          error={fileError}
          w={320}
        />
        <Button variant="default" onClick={() => void check()} loading={busy === 'check'}>
          Check the file
        </Button>
      </Group>
      <FormErrorAlert message={error} />
      {result && counts && (
        <Stack gap="sm">
          <Group gap="xs" role="status">
            <Text size="sm" fw={600}>
              {plural(result.rows.length, 'row')}:
            </Text>
            {(Object.keys(actionBadges) as CoopImportRow['action'][])
              .filter((action) => counts[action] > 0)
              .map((action) => (
                <Badge
                  key={action}
                  color={actionBadges[action].color}
                  variant="light"
                  style={{ overflow: 'visible' }}
                >
                  {counts[action]} {actionBadges[action].label.toLowerCase()}
                </Badge>
              ))}
          </Group>
          <RowsTable rows={result.rows} />
          {counts.invalid > 0 ? (
            <Alert color="red" variant="light" title="Nothing can be saved yet">
              {plural(counts.invalid, 'row is', 'rows are')} wrong. Correct{' '}
              {counts.invalid === 1 ? 'it' : 'them'} in your spreadsheet, save it as CSV again, and check the
              file once more: the file is saved whole or not at all.
            </Alert>
          ) : changes === 0 ? (
            <Alert color="gray" variant="light" title="Nothing to save">
              Every product in the file is as the club has it already.
            </Alert>
          ) : (
            <Group>
              <Button onClick={() => void save()} loading={busy === 'save'}>
                Save all ({counts.create} new, {plural(counts.update, 'change')})
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}
