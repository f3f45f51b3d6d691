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
  // A kind its product line makes (with its own record beside it) is made from the line's pages.
  const creatable = kinds.filter((kind) => !kind.created_by_line && (kind.self_service || isAdmin));
  const madeByLines = kinds.filter((kind) => kind.created_by_line).map((kind) => kind.label);
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
        {madeByLines.length > 0 && (
          <Text size="xs" c="dimmed">
            {madeByLines.join(', ')}: each is made from its own product line’s pages, with what it needs
            there.
          </Text>
        )}
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
