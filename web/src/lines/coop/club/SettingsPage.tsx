import { Button, Group, Stack, Switch, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { COOP } from '../format';
import { ClubFrame, useClub, useCoopRefresh } from './ClubLayout';

/** /coop/clubs/:clubId/settings: the club's name, and how households admit people (its Admin). */
export function SettingsPage() {
  const { club, can } = useClub();
  const refresh = useCoopRefresh();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: club.name, join_code_required: club.join_code_required },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the club') },
  });
  if (!can(COOP.settings)) {
    return (
      <ClubFrame title="Settings">
        <FormErrorAlert message="Only the club’s Admin changes its settings." />
      </ClubFrame>
    );
  }
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await call(
        api.PATCH('/api/coop/clubs/{id}', {
          params: { path: { id: club.id } },
          body: { name: values.name.trim(), join_code_required: values.join_code_required },
        }),
      );
      form.setValues({ name: saved.name, join_code_required: saved.join_code_required });
      form.resetDirty({ name: saved.name, join_code_required: saved.join_code_required });
      await refresh();
      notifications.show({ color: 'teal', message: 'The club’s settings are saved.' });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <ClubFrame title="Settings" description="The club’s name, and how households let people in.">
      <SectionCard title="The club">
        <form ref={formRef} onSubmit={submit} noValidate aria-label="Club settings">
          <Stack gap="md" maw={560}>
            <TextInput label="Name of the club" required {...form.getInputProps('name')} />
            <Switch
              label="Households admit people with a code"
              description="On: a person asking to join a household sees a four-digit code, which they tell a member of it in person or on the phone; the member types it to let them in. Nobody joins under a neighbour’s name. Off: a member lets people in on their name, address and message alone."
              {...form.getInputProps('join_code_required', { type: 'checkbox' })}
            />
            <FormErrorAlert message={formError} />
            <Group>
              <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
                Save settings
              </Button>
            </Group>
          </Stack>
        </form>
      </SectionCard>
    </ClubFrame>
  );
}
