import { Alert, Anchor, Button, Code, Group, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopClub, CoopHousehold, CoopJoinRequest } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { formatToTheSecond } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { useCoopRefresh } from '../club/ClubLayout';

/** Start a household, as its first member; the name is unique among the club's open households. */
export function StartHouseholdForm({ club }: { club: CoopClub }) {
  const navigate = useNavigate();
  const refresh = useCoopRefresh();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '' },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the household', 120) },
  });
  useFormDraft(form, 'start-household');
  const submit = form.onSubmit(async ({ name }) => {
    setFormError(null);
    try {
      const household = await call(
        api.POST('/api/coop/clubs/{id}/households', {
          params: { path: { id: club.id } },
          body: { name: name.trim() },
        }),
      );
      form.reset();
      await refresh();
      notifications.show({ color: 'teal', message: `${household.name} is started, with you in it.` });
      navigate(`/coop/clubs/${club.id}/households/${household.id}`);
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Start a household">
      <Stack gap="md" maw={480}>
        <TextInput
          label="Name of the household"
          description="How the club knows you: “The Millers”, “Flat 3B”. No two households of the club share a name."
          required
          {...form.getInputProps('name')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Start the household
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * Ask to join a household: the one given, or one chosen from the club's. Its members see the
 * person's name, address and message; when the club requires a code, the answer carries it.
 */
export function AskToJoinForm({
  club,
  household,
  households,
}: {
  club: CoopClub;
  household?: CoopHousehold;
  households?: CoopHousehold[];
}) {
  const refresh = useCoopRefresh();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { household_id: household?.id ?? '', message: '' },
    validateInputOnChange: true,
    validate: {
      household_id: (value) => (value ? null : 'Choose the household to join'),
      message: (value) => (value.length > 500 ? 'Use at most 500 characters' : null),
    },
  });
  useFormDraft(form, `ask-to-join:${household?.id ?? 'any'}`);
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const request = await call(
        api.POST('/api/coop/households/{id}/join-requests', {
          params: { path: { id: values.household_id } },
          body: values.message.trim() ? { message: values.message.trim() } : {},
        }),
      );
      form.reset();
      await refresh();
      if (!request) return;
      notifications.show({
        color: 'teal',
        message: club.join_code_required
          ? `Asked to join ${request.household_name}. Tell a member of it your code: ${request.code}.`
          : `Asked to join ${request.household_name}. A member of it will let you in.`,
      });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const name = household?.name;
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={name ? `Ask to join ${name}` : 'Ask to join a household'}
    >
      <Stack gap="md" maw={480}>
        {!household && (
          <Select
            label="Household"
            required
            searchable
            placeholder="Choose a household"
            nothingFoundMessage="No household of that name"
            data={(households ?? []).map((h) => ({ value: h.id, label: h.name }))}
            {...form.getInputProps('household_id')}
          />
        )}
        <Textarea
          label="Message to its members"
          description="Optional. They see your name and email address with it."
          autosize
          minRows={2}
          maxRows={5}
          {...form.getInputProps('message')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Ask to join
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The person's waiting request: the code to read out (when the club requires one), and withdrawing it. */
export function MyJoinRequest({ club, request }: { club: CoopClub; request: CoopJoinRequest }) {
  const refresh = useCoopRefresh();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const withdraw = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(api.POST('/api/coop/join-requests/{id}/withdraw', { params: { path: { id: request.id } } }));
      await refresh();
      notifications.show({ message: `Your request to join ${request.household_name} is withdrawn.` });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  const household = (
    <Anchor
      component={Link}
      inherit
      underline="always"
      to={`/coop/clubs/${club.id}/households/${request.household_id}`}
    >
      {request.household_name}
    </Anchor>
  );
  return (
    <Alert color="blue" variant="light" title={`Waiting for ${request.household_name} to let you in`}>
      <Stack gap="sm">
        {club.join_code_required && request.code ? (
          <>
            <Text size="sm">Your code:</Text>
            <Code
              fz="xl"
              fw={700}
              style={{ letterSpacing: '0.3em', alignSelf: 'flex-start' }}
              aria-label="Your code"
            >
              {request.code}
            </Code>
            <Text size="sm">
              Tell this code to a member of {household} yourself, in person or on the phone; they type it to
              let you in. It proves the request is really yours: never send it to anyone else. After five
              wrong codes the request is turned down and you ask again.
            </Text>
          </>
        ) : (
          <Text size="sm">A member of {household} lets you in; they see your name, address and message.</Text>
        )}
        <Text size="xs" c="dimmed">
          Asked {formatToTheSecond(request.created_at)}. Asking another household withdraws this request.
        </Text>
        <FormErrorAlert message={error} />
        <Group>
          <Button variant="default" size="xs" loading={busy} onClick={() => void withdraw()}>
            Withdraw the request
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
