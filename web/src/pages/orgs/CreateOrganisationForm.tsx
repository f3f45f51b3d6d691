import { Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { OrganizationKind } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { useFormDraft } from '../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';

export function CreateOrganisationForm({ kinds, isAdmin }: { kinds: OrganizationKind[]; isAdmin: boolean }) {
  const creatable = kinds.filter((kind) => kind.self_service || isAdmin);
  const navigate = useNavigate();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { kind: creatable.length === 1 ? (creatable[0]?.kind ?? '') : '', name: '' },
    validateInputOnChange: true,
    validate: {
      kind: (value) => (value ? null : 'Choose what kind of organisation it is'),
      name: checkRequired('a name'),
    },
  });
  useFormDraft(form, 'create-organisation');

  if (creatable.length === 0) {
    return (
      <Text size="sm">
        No kind of organisation can be created here yet. Each product line defines its own kinds (a buyers
        club, a workspace…); they appear here as the lines are built.
      </Text>
    );
  }

  const submit = form.onSubmit(async ({ kind, name }) => {
    setFormError(null);
    try {
      const organization = await call(api.POST('/api/orgs', { body: { kind, name: name.trim() } }));
      navigate(`/orgs/${organization.id}`);
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Create an organisation">
      <Stack gap="md">
        <Select
          label="Kind"
          required
          data={creatable.map((kind) => ({ value: kind.kind, label: kind.label }))}
          allowDeselect={false}
          {...form.getInputProps('kind')}
        />
        <TextInput label="Name" required {...form.getInputProps('name')} />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Create organisation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
