import { Button, Group, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { CoopProducer } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';

export interface ProducerDetails {
  name: string;
  contact_email: string;
  phone_number: string;
  location: string;
  details: string;
}

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
  const form = useForm<ProducerDetails>({
    mode: 'controlled',
    initialValues: {
      name: producer?.name ?? '',
      contact_email: producer?.contact_email ?? '',
      phone_number: producer?.phone_number ?? '',
      location: producer?.location ?? '',
      details: producer?.details ?? '',
    },
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the producer’s name'),
      contact_email: (value) =>
        !value.trim() || EMAIL.test(value.trim()) ? null : 'Enter an email address like farm@example.com',
      details: (value) => (value.length > 5000 ? 'Use at most 5000 characters' : null),
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
    try {
      await onSubmit(trimmed);
      if (producer) {
        form.setValues(trimmed);
        form.resetDirty(trimmed);
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
