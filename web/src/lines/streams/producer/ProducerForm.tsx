import { Button, Group, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { StreamsProducer } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { useSignedInUser } from '../../../session/SessionContext';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The server's rule for a payout wallet (src/streams/fields.ts), as the person types. */
function checkPayoutAddress(value: string): string | null {
  const typed = value.trim();
  if (!typed) return 'Enter the wallet your streams flow to';
  return ADDRESS.test(typed) ? null : 'Enter a 0x address of 40 hexadecimal digits';
}

const checkLength = (most: number) => (value: string) =>
  value.trim().length > most ? `Use at most ${most} characters` : null;

const VAT_RATE = /^(\d{1,3})(?:[.,](\d{1,2}))?$/;

/** A VAT rate as typed ("20", "5,5", "5.5") in basis points; null when empty, undefined when not a rate. */
export function vatRateBps(typed: string): number | null | undefined {
  const text = typed.trim().replace(/\s*%$/, '');
  if (!text) return null;
  const match = VAT_RATE.exec(text);
  if (!match) return undefined;
  const bps = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return bps <= 10_000 ? bps : undefined;
}

const checkVatRate = (value: string) =>
  vatRateBps(value) === undefined ? 'Enter a rate from 0 to 100 %, such as 20 or 5.5' : null;

interface ReceiptFields {
  legal_name: string | null;
  postal_address: string | null;
  tax_id: string | null;
  vat_rate_bps: number | null;
}

/** The receipt fields that differ from what the producer has (none at registering): only those are sent. */
function receiptChanges(producer: StreamsProducer | null, typed: ReceiptFields): Partial<ReceiptFields> {
  return Object.fromEntries(
    (Object.keys(typed) as (keyof ReceiptFields)[])
      .filter((key) => typed[key] !== (producer?.[key] ?? null))
      .map((key) => [key, typed[key]]),
  );
}

/** Basis points as the form shows them: 2000 is "20", 550 "5.5". */
const rateText = (bps: number | null | undefined) =>
  bps === null || bps === undefined ? '' : String(bps / 100);

/**
 * Registering as a producer (seed: "Producer name, Site name (if applicable, producer address),
 * Description") and changing the profile later; the payout wallet is where subscribers' streams flow.
 */
export function ProducerForm({
  producer,
  onSaved,
}: {
  producer: StreamsProducer | null;
  onSaved: (producer: StreamsProducer) => void;
}) {
  const user = useSignedInUser();
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: producer?.name ?? '',
      site: producer?.site ?? '',
      description: producer?.description ?? '',
      payout_address: producer?.payout_address ?? '',
      legal_name: producer?.legal_name ?? '',
      postal_address: producer?.postal_address ?? '',
      tax_id: producer?.tax_id ?? '',
      vat_rate: rateText(producer?.vat_rate_bps),
    },
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the name consumers know you by', 100),
      site: checkLength(200),
      description: checkLength(2000),
      payout_address: checkPayoutAddress,
      legal_name: checkLength(200),
      postal_address: checkLength(500),
      tax_id: checkLength(50),
      vat_rate: checkVatRate,
    },
  });
  useFormDraft(form, producer ? 'streams-producer' : 'streams-register');
  const wallets = user.wallets.filter(
    (wallet) => wallet.address.toLowerCase() !== form.values.payout_address.trim().toLowerCase(),
  );
  const submit = form.onSubmit(async (values) => {
    setProblem(null);
    const body = {
      name: values.name.trim(),
      site: values.site.trim(),
      description: values.description.trim(),
      payout_address: values.payout_address.trim(),
      ...receiptChanges(producer, {
        legal_name: values.legal_name.trim() || null,
        postal_address: values.postal_address.trim() || null,
        tax_id: values.tax_id.trim() || null,
        vat_rate_bps: vatRateBps(values.vat_rate) ?? null,
      }),
    };
    try {
      const saved = producer
        ? await call(api.PATCH('/api/streams/producer', { body }))
        : await call(api.POST('/api/streams/producer', { body }));
      const kept = {
        name: saved.name,
        site: saved.site,
        description: saved.description,
        payout_address: saved.payout_address,
        legal_name: saved.legal_name ?? '',
        postal_address: saved.postal_address ?? '',
        tax_id: saved.tax_id ?? '',
        vat_rate: rateText(saved.vat_rate_bps),
      };
      form.setValues(kept);
      form.resetDirty(kept);
      notifications.show({
        color: 'teal',
        message: producer ? 'Your producer profile is saved.' : `${saved.name} is a producer now.`,
      });
      onSaved(saved);
    } catch (error) {
      setProblem(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={producer ? 'Your producer profile' : 'Register as a producer'}
    >
      <Stack gap="md" maw={720}>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Producer name"
            description="What consumers search for and see on your plans."
            required
            {...form.getInputProps('name')}
          />
          <TextInput
            label="Site or address"
            description="Your site, or your address if you have none."
            {...form.getInputProps('site')}
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          description="What your business offers, in a few sentences."
          autosize
          minRows={2}
          maxRows={8}
          {...form.getInputProps('description')}
        />
        <Stack gap={6}>
          <TextInput
            label="Payout wallet"
            description="Subscribers’ streams flow to this address, in the plan’s token."
            required
            autoComplete="off"
            spellCheck={false}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            {...form.getInputProps('payout_address')}
          />
          {wallets.map((wallet) => (
            <Group key={wallet.address} gap="xs">
              <Button
                variant="light"
                size="compact-sm"
                aria-label={`Use my wallet ${wallet.address}`}
                onClick={() => form.setFieldValue('payout_address', wallet.address)}
              >
                Use my wallet
              </Button>
              <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {wallet.address}
              </Text>
            </Group>
          ))}
        </Stack>
        <Text size="sm" fw={600}>
          On your receipts
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label="Legal name"
            description="Your registered name, if it is not the producer name."
            {...form.getInputProps('legal_name')}
          />
          <TextInput
            label="Tax id"
            description="Such as your VAT number."
            {...form.getInputProps('tax_id')}
          />
        </SimpleGrid>
        <Textarea
          label="Postal address"
          autosize
          minRows={2}
          maxRows={5}
          {...form.getInputProps('postal_address')}
        />
        <TextInput
          label="VAT rate (%)"
          description={
            vatRateBps(form.values.vat_rate) === null
              ? 'Empty: receipts say no VAT is charged.'
              : 'The VAT inside what subscribers paid, shown on each receipt.'
          }
          inputMode="decimal"
          maw={240}
          {...form.getInputProps('vat_rate')}
        />
        <FormErrorAlert message={problem} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={producer !== null && !form.isDirty()}>
            {producer ? 'Save the profile' : 'Register as a producer'}
          </Button>
          {producer !== null && !form.isDirty() && (
            <Text size="sm" c="dimmed">
              Change a field to save it.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
