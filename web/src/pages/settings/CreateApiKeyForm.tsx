import { Button, Group, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { ApiKeyScope, CreatedApiKey } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { useFormDraft } from '../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';

/** The end of the chosen day in the reader's time zone, as the API's ISO 8601 timestamp. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

function checkExpiry(value: string): string | null {
  if (!value) return null;
  return new Date(`${value}T23:59:59`) > new Date() ? null : 'Choose a day after today';
}

export function CreateApiKeyForm({
  scopes,
  onCreated,
}: {
  scopes: ApiKeyScope[];
  onCreated: (created: CreatedApiKey) => void;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '', scopes: [] as string[], expires_at: '' },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the key', 100), expires_at: checkExpiry },
  });
  useFormDraft(form, 'create-api-key');

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const created = await call(
        api.POST('/api/auth/api-keys', {
          body: {
            name: values.name.trim(),
            scopes: values.scopes,
            ...(values.expires_at ? { expires_at: endOfDay(values.expires_at) } : {}),
          },
        }),
      );
      form.reset();
      onCreated(created);
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Create an API key">
      <Stack gap="md">
        <TextInput
          label="Name"
          description="Say where the key is used, e.g. “billing server”."
          required
          {...form.getInputProps('name')}
        />
        <MultiSelect
          label="Scopes"
          description="What the key may do. A key never manages sign-ins, sessions or other keys."
          placeholder={scopes.length === 0 ? 'No scopes are defined yet' : 'Choose scopes'}
          data={scopes.map((scope) => ({
            value: scope.scope,
            label: `${scope.scope} — ${scope.description}`,
          }))}
          searchable
          clearable
          {...form.getInputProps('scopes')}
        />
        <TextInput
          label="Expires"
          description="Optional: the key stops working at the end of this day."
          type="date"
          {...form.getInputProps('expires_at')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
