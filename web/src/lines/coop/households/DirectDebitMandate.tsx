import { Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopHousehold } from '../../../api/types';
import { Facts } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { ibanDescription } from '../books/BankAccount';
import { useClubBankAccount, useDirectDebitSettings, useHouseholdMandate } from '../books/resources';
import { useClub, useCoopRefresh } from '../club/ClubLayout';
import { compactCode, ibanShapeProblem } from '../format';

const BIC = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

/** The SEPA Core mandate's own words (EPC rulebook), with the club as creditor. */
function MandateText({ creditor, creditorId }: { creditor: string; creditorId: string }) {
  return (
    <Text size="sm">
      By signing this mandate, you authorise (A) {creditor} (creditor identifier {creditorId}) to send
      instructions to your bank to debit your account and (B) your bank to debit your account in accordance
      with the instructions from {creditor}, for your household’s bills. As part of your rights, you are
      entitled to a refund from your bank under the terms and conditions of your agreement with your bank. A
      refund must be claimed within 8 weeks starting from the date on which your account was debited. The
      mandate reference and the day of signature are shown once you sign; each bill’s debit is announced with
      the bill.
    </Text>
  );
}

function SignMandateForm({
  household,
  onSigned,
}: {
  household: CoopHousehold;
  onSigned: () => Promise<void>;
}) {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { account_holder: '', iban: '', bic: '' },
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
  const submit = form.onSubmit(async (values) => {
    setProblem(null);
    try {
      await call(
        api.POST('/api/coop/households/{id}/direct-debit-mandate', {
          params: { path: { id: household.id } },
          body: {
            account_holder: values.account_holder.trim(),
            iban: compactCode(values.iban),
            bic: compactCode(values.bic) || null,
          },
        }),
      );
      notifications.show({ color: 'teal', message: `${household.name}’s mandate is signed.` });
      await onSigned();
    } catch (error) {
      setProblem(problemOf(form, error));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Sign the mandate">
      <Stack gap="md" maw={640}>
        <TextInput
          label="Account holder"
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
            description="Optional."
            autoComplete="off"
            spellCheck={false}
            maxLength={11}
            {...form.getInputProps('bic')}
          />
        </SimpleGrid>
        <FormErrorAlert message={problem} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Sign the mandate
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * On a household's page, for its members and the bookkeeper: the household's SEPA direct debit
 * mandate, signed by a member, seen and revoked by them or the bookkeeper.
 */
export function DirectDebitMandate({ household, lives }: { household: CoopHousehold; lives: boolean }) {
  const { club } = useClub();
  const refresh = useCoopRefresh();
  const settings = useDirectDebitSettings(club.id);
  const account = useClubBankAccount(club.id);
  const mandate = useHouseholdMandate(household.id);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!settings.data) return null;
  const revoke = async (mandateId: string) => {
    setBusy(true);
    setError(null);
    try {
      await call(
        api.POST('/api/coop/direct-debit-mandates/{id}/revoke', { params: { path: { id: mandateId } } }),
      );
      notifications.show({
        color: 'teal',
        message: 'The mandate is revoked: nothing more is collected with it.',
      });
      await refresh();
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  const creditor = account.data?.account_holder ?? club.name;
  return (
    <SectionCard
      title="Direct debit mandate"
      description="With a mandate the club collects the household’s bills from its account: nobody has to remember to transfer."
    >
      <ResourceView resource={mandate} loadingLabel="Loading the mandate…">
        {(data) =>
          data ? (
            <Stack gap="sm">
              <Facts
                facts={[
                  { label: 'Account holder', value: data.account_holder },
                  { label: 'IBAN', value: data.iban },
                  ...(data.bic ? [{ label: 'BIC', value: data.bic }] : []),
                  { label: 'Mandate reference', value: data.reference },
                  { label: 'Signed on', value: data.signed_on },
                  { label: 'Creditor identifier', value: settings.data?.creditor_id ?? '' },
                ]}
              />
              <FormErrorAlert message={error} />
              <Group>
                <Button variant="default" color="red" loading={busy} onClick={() => void revoke(data.id)}>
                  Revoke the mandate
                </Button>
              </Group>
            </Stack>
          ) : lives ? (
            <Stack gap="md">
              <MandateText creditor={creditor} creditorId={settings.data?.creditor_id ?? ''} />
              <SignMandateForm household={household} onSigned={refresh} />
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              {household.name} has signed no mandate: it pays its bills by transfer.
            </Text>
          )
        }
      </ResourceView>
    </SectionCard>
  );
}
