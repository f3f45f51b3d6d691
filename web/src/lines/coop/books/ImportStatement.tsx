import {
  Alert,
  Button,
  FileInput,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopClubBankAccount, CoopStatementImport } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { compactCode, inGroupsOfFour } from '../format';
import { csvColumns, importWords, mappingFits } from './format';
import { type StatementMapping, useStatementMappings } from './period-resources';

const STATEMENT_MAX_BYTES = 10 * 1024 * 1024;

/** Whether a chosen file can be a CAMT.053 statement: XML by its type or its name. */
const looksLikeXml = (file: File) => /xml/i.test(file.type) || /\.xml$/i.test(file.name);
/** Whether it is a bank's CSV export, read through a column mapping. */
const looksLikeCsv = (file: File) => /csv/i.test(file.type) || /\.csv$/i.test(file.name);

/** A new mapping as the form holds it: the server's field names, so its refusals land next to their field. */
interface MappingDraft {
  name: string;
  booked_on: string;
  date_format: StatementMapping['date_format'];
  amount: string;
  decimal_separator: StatementMapping['decimal_separator'];
  counterparty_name: string;
  counterparty_iban: string;
  remittance: string;
  bank_id: string;
}

/** The column whose name looks like what it holds, in the words German and English banks use. */
function guess(columns: readonly string[], pattern: RegExp): string {
  return columns.find((column) => pattern.test(column)) ?? '';
}

function draftFor(columns: readonly string[]): MappingDraft {
  return {
    name: '',
    booked_on: guess(columns, /buchungstag|buchungsdatum|booking|date|datum/i),
    date_format: 'DD.MM.YYYY',
    amount: guess(columns, /betrag|amount/i),
    decimal_separator: ',',
    counterparty_name: guess(columns, /name|beguenstigter|begünstigter|payer|payee|counterparty/i),
    counterparty_iban: guess(columns, /iban/i),
    remittance: guess(columns, /verwendungszweck|remittance|reference|purpose|text/i),
    bank_id: '',
  };
}

const NEW_MAPPING = 'new';

/** The columns of a CSV statement, mapped once per bank: what the server reads each line by. */
function MappingFields({
  columns,
  draft,
  errors,
  onChange,
}: {
  columns: string[];
  draft: MappingDraft;
  errors: Record<string, string>;
  onChange: (draft: MappingDraft) => void;
}) {
  const set = (field: keyof MappingDraft) => (event: { currentTarget: { value: string } }) =>
    onChange({ ...draft, [field]: event.currentTarget.value });
  const column = (field: keyof MappingDraft, label: string, required: boolean, description?: string) => (
    <NativeSelect
      label={label}
      description={description}
      required={required}
      value={draft[field]}
      onChange={set(field)}
      error={errors[field]}
      data={[
        { value: '', label: required ? 'Choose its column' : 'None' },
        ...columns.map((name) => ({ value: name, label: name })),
      ]}
    />
  );
  return (
    <Stack gap="sm" role="group" aria-label="The bank’s columns">
      <Text size="sm">
        No saved mapping reads this file’s columns ({columns.join(', ')}). Say which column holds what; it is
        saved under the bank’s name and offered for its next statements.
      </Text>
      <TextInput
        label="Bank"
        description="The bank’s name, such as Sparkasse: the same name replaces its mapping."
        required
        value={draft.name}
        onChange={set('name')}
        error={errors.name}
        maxLength={100}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {column('booked_on', 'Date', true)}
        <NativeSelect
          label="Date format"
          required
          value={draft.date_format}
          onChange={set('date_format')}
          error={errors.date_format}
          data={['DD.MM.YYYY', 'YYYY-MM-DD', 'MM/DD/YYYY']}
        />
        {column('amount', 'Amount', true, 'Signed: money in above zero, money out below.')}
        <NativeSelect
          label="Decimal separator"
          required
          value={draft.decimal_separator}
          onChange={set('decimal_separator')}
          error={errors.decimal_separator}
          data={[
            { value: ',', label: 'Comma (12,50)' },
            { value: '.', label: 'Point (12.50)' },
          ]}
        />
        {column('counterparty_name', 'Payer or payee', true)}
        {column('counterparty_iban', 'Their IBAN', false)}
        {column(
          'remittance',
          'Reference or remittance text',
          true,
          'Where households quote their bill’s reference.',
        )}
        {column('bank_id', 'The bank’s id for a line', false, 'Without one, a line is known by its content.')}
      </SimpleGrid>
    </Stack>
  );
}

/**
 * The bookkeeper uploads the club account's statement: CAMT.053 XML, or the bank's CSV export read
 * through the column mapping saved for that bank (the first time, the bookkeeper maps the file's
 * columns and the mapping is saved under the bank's name). The page says what the import did:
 * bills paid, wrong amounts to confirm, payments waiting, money sent out.
 */
export function ImportStatementForm({
  clubId,
  account,
  onImported,
}: {
  clubId: string;
  account: CoopClubBankAccount | null | undefined;
  onImported: () => Promise<void>;
}) {
  const mappings = useStatementMappings(clubId);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<CoopStatementImport | null>(null);
  /** A CSV file's columns; null for XML. */
  const [columns, setColumns] = useState<string[] | null>(null);
  const [mappingId, setMappingId] = useState('');
  const [draft, setDraft] = useState<MappingDraft | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const fitting = columns ? (mappings.data ?? []).filter((m) => mappingFits(m, columns)) : [];
  const choose = async (chosen: File | null) => {
    setFile(chosen);
    setDone(null);
    setFormError(null);
    setFieldErrors({});
    setColumns(null);
    setDraft(null);
    setMappingId('');
    if (!chosen) return setFileError(null);
    if (!looksLikeXml(chosen) && !looksLikeCsv(chosen))
      return setFileError('Choose the statement as CAMT.053 (an XML file) or as your bank’s CSV export');
    if (chosen.size > STATEMENT_MAX_BYTES) return setFileError('The file is larger than 10 MB');
    setFileError(null);
    if (looksLikeCsv(chosen)) {
      const found = csvColumns(await chosen.text());
      if (found.length === 0) return setFileError('The file names no columns on its first line');
      setColumns(found);
      const saved = (mappings.data ?? []).find((m) => mappingFits(m, found));
      setMappingId(saved?.id ?? NEW_MAPPING);
      setDraft(draftFor(found));
    }
  };
  /** Saves the new mapping; null when the server refused it (its reasons are shown next to their fields). */
  const saveMapping = async (mapping: MappingDraft): Promise<string | null> => {
    try {
      const saved = await call(
        api.PUT('/api/coop/clubs/{id}/statement-mappings', {
          params: { path: { id: clubId } },
          body: {
            ...mapping,
            counterparty_iban: mapping.counterparty_iban || null,
            bank_id: mapping.bank_id || null,
          },
        }),
      );
      await mappings.reload();
      return saved.id;
    } catch (thrown) {
      const error = asApiError(thrown);
      setFieldErrors(error.fieldErrors);
      if (Object.keys(error.fieldErrors).length === 0) setFormError(error.message);
      return null;
    }
  };
  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || fileError) {
      setFileError(fileError ?? 'Choose the statement first: the XML or CSV file your bank exports');
      return;
    }
    setBusy(true);
    setFormError(null);
    setFieldErrors({});
    try {
      let mapping: string | null = null;
      if (columns) {
        mapping = mappingId === NEW_MAPPING && draft ? await saveMapping(draft) : mappingId;
        if (!mapping) return;
        setMappingId(mapping);
      }
      const body = new FormData();
      body.append('file', file, file.name);
      if (mapping) body.append('mapping_id', mapping);
      const summary = await call(
        api.POST('/api/coop/clubs/{id}/bank-statements', {
          params: { path: { id: clubId } },
          body: body as never,
        }),
      );
      setDone(summary);
      setFile(null);
      setColumns(null);
      setDraft(null);
      await onImported();
    } catch (thrown) {
      const error = asApiError(thrown);
      if (error.fieldErrors.file) setFileError(error.fieldErrors.file);
      else if (error.fieldErrors.mapping_id) setFieldErrors({ mapping_id: error.fieldErrors.mapping_id });
      else setFormError(error.message);
    } finally {
      setBusy(false);
    }
  };
  const otherAccount =
    done?.statement.account_iban &&
    account &&
    compactCode(done.statement.account_iban) !== compactCode(account.iban)
      ? done.statement.account_iban
      : null;
  return (
    <form onSubmit={(event) => void upload(event)} noValidate aria-label="Import a statement">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <FileInput
            label="Statement"
            description="CAMT.053 (XML) or your bank’s CSV export, up to 10 MB."
            accept=".xml,application/xml,text/xml,.csv,text/csv"
            placeholder="Choose a file"
            clearable
            required
            value={file}
            onChange={(chosen) => void choose(chosen)}
            error={fileError}
            w={360}
            maw="100%"
          />
          <Button type="submit" loading={busy}>
            Import the statement
          </Button>
        </Group>
        {columns && (
          <NativeSelect
            label="How the bank’s columns read"
            description={
              fitting.length > 0
                ? 'A saved mapping reads this file’s columns.'
                : 'No saved mapping reads this file’s columns: map them below.'
            }
            value={mappingId}
            onChange={(event) => setMappingId(event.currentTarget.value)}
            error={fieldErrors.mapping_id}
            data={[
              ...fitting.map((m) => ({ value: m.id, label: m.name })),
              { value: NEW_MAPPING, label: 'A new mapping…' },
            ]}
            w={360}
            maw="100%"
          />
        )}
        {columns && mappingId === NEW_MAPPING && draft && (
          <MappingFields columns={columns} draft={draft} errors={fieldErrors} onChange={setDraft} />
        )}
        <FormErrorAlert message={formError} />
        {done && (
          <Alert
            color={done.known === done.lines ? 'blue' : 'teal'}
            variant="light"
            title={done.known === done.lines ? 'Nothing new' : 'Statement imported'}
            role="status"
          >
            <Stack gap={4}>
              <Text size="sm" data-testid="import-summary">
                {importWords(done)}
              </Text>
              {done.bad_amount + done.unmatched > 0 && (
                <Text size="sm">The lines waiting for you are below.</Text>
              )}
              {otherAccount && (
                <Text size="sm" c="orange.9">
                  This statement is of the account {inGroupsOfFour(otherAccount)}, not the club’s (
                  {inGroupsOfFour(account?.iban ?? '')}): check it is the right file.
                </Text>
              )}
            </Stack>
          </Alert>
        )}
      </Stack>
    </form>
  );
}
