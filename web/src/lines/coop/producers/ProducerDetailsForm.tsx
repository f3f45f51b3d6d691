import { Button, Fieldset, Group, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { CoopProducer } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { ibanDescription } from '../books/BankAccount';
import { compactCode, ibanShapeProblem, inGroupsOfFour } from '../format';

export interface ProducerDetails {
  name: string;
  contact_email: string;
  phone_number: string;
  location: string;
  details: string;
  /** Where the club pays it; null: none (a change removes it). */
  iban: string | null;
  /** Who holds that account, when not the producer by its name. */
  account_holder: string | null;
}

type DetailsValues = Omit<ProducerDetails, 'iban' | 'account_holder'> & {
  iban: string;
  account_holder: string;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A producer's details, for a new producer or a change; the server's refusals land on their fields. */
export function ProducerDetailsForm({
  producer,
  submitLabel,
  onSubmit,
}: {
  producer?: CoopProducer;
  submitLabel: string;
  /** Sends the details; throws the server's refusal. */
  onSubmit: (details: ProducerDetails) => Promise<void>;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<DetailsValues>({
    mode: 'controlled',
    initialValues: {
      name: producer?.name ?? '',
      contact_email: producer?.contact_email ?? '',
      phone_number: producer?.phone_number ?? '',
      location: producer?.location ?? '',
      details: producer?.details ?? '',
      iban: producer?.iban ?? '',
      account_holder: producer?.account_holder ?? '',
    },
    validateInputOnChange: ['name', 'contact_email', 'details', 'account_holder'],
    // An IBAN is long: its shape is checked once the person leaves the field, not at the first letter.
    validateInputOnBlur: ['iban'],
    validate: {
      name: checkRequired('the producer’s name'),
      contact_email: (value) =>
        !value.trim() || EMAIL.test(value.trim()) ? null : 'Enter an email address like farm@example.com',
      details: (value) => (value.length > 5000 ? 'Use at most 5000 characters' : null),
      iban: ibanShapeProblem,
      account_holder: (value) => (value.length > 70 ? 'Use at most 70 characters' : null),
    },
  });
  useFormDraft(form, producer ? `producer:${producer.id}` : 'add-producer');
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    const trimmed = {
      name: values.name.trim(),
      contact_email: values.contact_email.trim(),
      phone_number: values.phone_number.trim(),
      location: values.location.trim(),
      details: values.details.trim(),
    };
    const iban = compactCode(values.iban);
    const holder = values.account_holder.trim();
    try {
      await onSubmit({ ...trimmed, iban: iban || null, account_holder: holder || null });
      if (producer) {
        const saved = { ...trimmed, iban: inGroupsOfFour(iban), account_holder: holder };
        form.setValues(saved);
        form.resetDirty(saved);
      } else {
        form.reset();
      }
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={producer ? `Details of ${producer.name}` : 'Add a producer'}
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <TextInput
            label="Location"
            description="Where the farm or shop is."
            {...form.getInputProps('location')}
          />
          <TextInput
            label="Contact email"
            type="email"
            description="Where order sheets will go."
            {...form.getInputProps('contact_email')}
          />
          <TextInput label="Phone number" type="tel" {...form.getInputProps('phone_number')} />
        </SimpleGrid>
        <Textarea
          label="About the producer"
          description="What they grow or make, how they work, when they deliver."
          autosize
          minRows={2}
          maxRows={8}
          {...form.getInputProps('details')}
        />
        <Fieldset legend="Where the club pays it" variant="unstyled">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <TextInput
              label="IBAN"
              autoComplete="off"
              spellCheck={false}
              maxLength={50}
              description={`${ibanDescription(form.values.iban)} Its liaison, the Admin and the bookkeeper see it; empty removes it.`}
              {...form.getInputProps('iban')}
            />
            <TextInput
              label="Account holder"
              description="The name the account is in, when it is not the producer’s."
              autoComplete="off"
              maxLength={70}
              {...form.getInputProps('account_holder')}
            />
          </SimpleGrid>
        </Fieldset>
        <FormErrorAlert message={formError} />
        <Group>
          <Button
            type="submit"
            loading={form.submitting}
            disabled={producer !== undefined && !form.isDirty()}
          >
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
