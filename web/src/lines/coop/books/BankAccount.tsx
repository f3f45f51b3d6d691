import { Anchor, Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopClubBankAccount } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { useClub, useCoopRefresh } from '../club/ClubLayout';
import { COOP, compactCode, ibanShapeProblem, inGroupsOfFour } from '../format';
import { useClubBankAccount } from './resources';

const BIC = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

/** The bookkeeper and the Admin set the club's account; the page offers it to them only. */
export const setsClubAccount = (can: (permission: string) => boolean) =>
  can(COOP.books) || can(COOP.producers);

/** Who holds the club's account, its IBAN in groups of four (to copy) and its BIC. */
export function ClubBankAccountFacts({ account }: { account: CoopClubBankAccount }) {
  return (
    <Facts
      facts={[
        { label: 'Account holder', value: account.account_holder },
        { label: 'IBAN', value: <CopyValue value={inGroupsOfFour(account.iban)} label="Club IBAN" /> },
        ...(account.bic ? [{ label: 'BIC', value: account.bic }] : []),
      ]}
    />
  );
}

/** What an IBAN field says under it: how to write one, or the IBAN as it will be read. */
export function ibanDescription(value: string): string {
  const typed = compactCode(value);
  if (!typed || ibanShapeProblem(typed)) return 'As on the bank’s papers; spaces and lower case are fine.';
  return `Reads ${inGroupsOfFour(typed)}.`;
}

interface AccountValues {
  account_holder: string;
  iban: string;
  bic: string;
}

/** The club's bank account, for the bookkeeper or the Admin to set; the server's refusals land on their fields. */
function BankAccountForm({
  clubId,
  account,
  onSaved,
}: {
  clubId: string;
  account: CoopClubBankAccount | null;
  onSaved: (account: CoopClubBankAccount) => Promise<void>;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<AccountValues>({
    mode: 'controlled',
    initialValues: {
      account_holder: account?.account_holder ?? '',
      iban: account?.iban ?? '',
      bic: account?.bic ?? '',
    },
    // An IBAN is long: its shape is checked once the person leaves the field, not at the first letter.
    validateInputOnBlur: true,
    validate: {
      account_holder: checkRequired('who holds the account', 70),
      iban: (value) => (value.trim() ? ibanShapeProblem(value) : 'Enter the account’s IBAN'),
      bic: (value) =>
        !value.trim() || BIC.test(compactCode(value))
          ? null
          : 'A BIC has 8 or 11 letters and digits, such as COBADEFFXXX',
    },
  });
  useFormDraft(form, `club-bank-account:${clubId}`);
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const { account: saved } = await call(
        api.PUT('/api/coop/clubs/{id}/bank-account', {
          params: { path: { id: clubId } },
          body: {
            account_holder: values.account_holder.trim(),
            iban: compactCode(values.iban),
            bic: compactCode(values.bic) || null,
          },
        }),
      );
      if (!saved) throw new Error('The bank account was not saved: try again.');
      const shown = { account_holder: saved.account_holder, iban: saved.iban, bic: saved.bic ?? '' };
      form.setValues(shown);
      form.resetDirty(shown);
      await onSaved(saved);
      notifications.show({
        color: 'teal',
        message: `The club’s bank account is saved: households pay to ${inGroupsOfFour(saved.iban)}.`,
      });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Club bank account">
      <Stack gap="md" maw={640}>
        <TextInput
          label="Account holder"
          description="The name the account is in, as the bank shows it to payers."
          required
          maxLength={70}
          autoComplete="off"
          {...form.getInputProps('account_holder')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="IBAN"
            required
            autoComplete="off"
            spellCheck={false}
            maxLength={50}
            description={ibanDescription(form.values.iban)}
            {...form.getInputProps('iban')}
          />
          <TextInput
            label="BIC"
            description="Optional: banks in the SEPA area find it from the IBAN."
            autoComplete="off"
            spellCheck={false}
            maxLength={11}
            {...form.getInputProps('bic')}
          />
        </SimpleGrid>
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={account !== null && !form.isDirty()}>
            Save the bank account
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The club's settings' section for its bank account. */
export function ClubBankAccountSection() {
  const { club } = useClub();
  const account = useClubBankAccount(club.id);
  const refresh = useCoopRefresh();
  return (
    <SectionCard
      title="Bank account"
      description="Where households pay their bills, and the account the payment files for producers pay from. Every member sees it on the club’s home."
    >
      <ResourceView resource={account} loadingLabel="Loading the bank account…">
        {(data) => (
          <BankAccountForm
            key={data?.updated_at ?? 'none'}
            clubId={club.id}
            account={data}
            onSaved={async (saved) => {
              account.replace(saved);
              await refresh();
            }}
          />
        )}
      </ResourceView>
    </SectionCard>
  );
}

/** On the club's home, for every member: where to pay bills. */
export function PayingTheClub() {
  const { club, can } = useClub();
  const account = useClubBankAccount(club.id);
  return (
    <SectionCard
      title="Paying the club"
      description="Transfer each bill to this account, with the bill’s reference, so the bookkeeper finds it."
    >
      <ResourceView resource={account} loadingLabel="Loading the bank account…">
        {(data) =>
          data ? (
            <ClubBankAccountFacts account={data} />
          ) : (
            <Text size="sm" c="dimmed">
              The club’s bank account is not set yet: the bookkeeper sets it.{' '}
              {setsClubAccount(can) && (
                <Anchor component={Link} to={`/coop/clubs/${club.id}/settings`} inherit underline="always">
                  Set it in the settings.
                </Anchor>
              )}
            </Text>
          )
        }
      </ResourceView>
    </SectionCard>
  );
}
