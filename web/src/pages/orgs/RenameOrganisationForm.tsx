import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { Organization } from '../../api/types';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { showServerErrors } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';

export function RenameOrganisationForm({
  organization,
  onRenamed,
}: {
  organization: Organization;
  onRenamed: (organization: Organization) => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: organization.name },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name') },
  });

  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const renamed = await call(
        api.PATCH('/api/orgs/{id}', {
          params: { path: { id: organization.id } },
          body: { name: name.trim() },
        }),
      );
      form.resetDirty({ name: renamed.name });
      onRenamed(renamed);
      notifications.show({ color: 'teal', message: 'The organisation is renamed.' });
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Rename the organisation">
      <Stack gap="md">
        <TextInput label="Name" required {...form.getInputProps('name')} />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
            Rename
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
