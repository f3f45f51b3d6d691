import { Alert, Button, FileInput, Group, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopClubBankAccount, CoopStatementImport } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { compactCode, inGroupsOfFour } from '../format';
import { importWords } from './format';

const STATEMENT_MAX_BYTES = 10 * 1024 * 1024;

/** Whether a chosen file can be a CAMT.053 statement: XML by its type or its name. */
const looksLikeXml = (file: File) => /xml/i.test(file.type) || /\.xml$/i.test(file.name);

/**
 * The bookkeeper uploads the club account's statement (CAMT.053 XML, as banks export it); the page
 * says what the import did: bills paid, wrong amounts to confirm, payments waiting, money sent out.
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
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<CoopStatementImport | null>(null);
  const choose = (chosen: File | null) => {
    setFile(chosen);
    setDone(null);
    setFormError(null);
    if (!chosen) return setFileError(null);
    if (!looksLikeXml(chosen)) return setFileError('Choose the statement as CAMT.053: an XML file');
    if (chosen.size > STATEMENT_MAX_BYTES) return setFileError('The file is larger than 10 MB');
    setFileError(null);
  };
  const upload = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || fileError) {
      setFileError(fileError ?? 'Choose the statement first: an XML file your bank exports');
      return;
    }
    setBusy(true);
    setFormError(null);
    try {
      const body = new FormData();
      body.append('file', file, file.name);
      const summary = await call(
        api.POST('/api/coop/clubs/{id}/bank-statements', {
          params: { path: { id: clubId } },
          body: body as never,
        }),
      );
      setDone(summary);
      setFile(null);
      await onImported();
    } catch (thrown) {
      const error = asApiError(thrown);
      if (error.fieldErrors.file) setFileError(error.fieldErrors.file);
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
            description="CAMT.053 (XML), as your bank exports it, up to 10 MB."
            accept=".xml,application/xml,text/xml"
            placeholder="Choose a file"
            clearable
            required
            value={file}
            onChange={choose}
            error={fileError}
            w={360}
            maw="100%"
          />
          <Button type="submit" loading={busy}>
            Import the statement
          </Button>
        </Group>
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
