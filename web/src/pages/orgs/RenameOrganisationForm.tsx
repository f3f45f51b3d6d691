import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { useFormDraft } from '../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';

/**
 * A name form: `rename` sends the new name (the core's route for an organisation, a line's for the
 * organisations it renames itself) and answers with what was saved.
 */
export function RenameOrganisationForm<T extends { name: string }>({
  current,
  rename,
  onRenamed,
  what = 'organisation',
}: {
  current: string;
  rename: (name: string) => Promise<T>;
  onRenamed: (renamed: T) => void;
  what?: string;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: current },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name') },
  });
  useFormDraft(form, 'rename');

  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const renamed = await rename(name.trim());
      // The field shows the name as saved (trimmed), and nothing is left to save.
      form.setValues({ name: renamed.name });
      form.resetDirty({ name: renamed.name });
      onRenamed(renamed);
      notifications.show({ color: 'teal', message: `The ${what} is renamed.` });
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-label={`Rename the ${what}`}>
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
