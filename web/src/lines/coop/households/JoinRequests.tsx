import { Button, Card, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopClub, CoopHousehold, CoopJoinRequest } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { NothingYet } from '../../../components/States';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { formatToTheSecond } from '../../../lib/dates';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { personName, useCoopRefresh } from '../club/ClubLayout';

/** Whether a refusal of a wrong code also turned the request down (the fifth wrong code). */
function requestRejected(thrown: unknown): boolean {
  const details = asApiError(thrown).details as { request_rejected?: unknown } | undefined;
  return details?.request_rejected === true;
}

/**
 * One request to join: who asks (name, the address their account proved, their message), and the
 * decision. A member of the household types the code the person reads out when the club requires
 * one; the club's admin, who may add anyone, approves without it.
 */
function JoinRequestCard({ request, needsCode }: { request: CoopJoinRequest; needsCode: boolean }) {
  const refresh = useCoopRefresh();
  const who = personName(request.person);
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { code: '' },
    validateInputOnChange: true,
    validate: {
      code: (value) =>
        !needsCode
          ? null
          : /^\s*\d{4}\s*$/.test(value)
            ? null
            : `Enter the four digits ${who} reads out to you`,
    },
  });
  const approve = form.onSubmit(async ({ code }) => {
    setFormError(null);
    try {
      await call(
        api.POST('/api/coop/join-requests/{id}/approve', {
          params: { path: { id: request.id } },
          body: needsCode ? { code: code.trim() } : {},
        }),
      );
      notifications.show({ color: 'teal', message: `${who} is in ${request.household_name} now.` });
      await refresh();
    } catch (error) {
      if (requestRejected(error)) {
        notifications.show({
          color: 'red',
          title: `${who}’s request is turned down`,
          message: asApiError(error).message,
        });
        await refresh();
        return;
      }
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const reject = async () => {
    setRejecting(true);
    setFormError(null);
    try {
      await call(api.POST('/api/coop/join-requests/{id}/reject', { params: { path: { id: request.id } } }));
      notifications.show({ message: `${who}’s request is turned down.` });
      await refresh();
    } catch (error) {
      setFormError(problemOf(form, error));
    } finally {
      setRejecting(false);
    }
  };
  return (
    <Card withBorder padding="md" component="li">
      <form ref={formRef} onSubmit={approve} noValidate aria-label={`Request from ${who}`}>
        <Stack gap="sm">
          <div>
            <Text fw={600}>{who}</Text>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {request.person.email ?? 'signs in with a wallet'} · asked{' '}
              {formatToTheSecond(request.created_at)}
            </Text>
          </div>
          {request.message ? (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              “{request.message}”
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              No message.
            </Text>
          )}
          {needsCode && (
            <TextInput
              label="Code they read out"
              description={`Ask ${who} for the four-digit code their page shows, in person or on the phone. Never take it from a message.`}
              inputMode="numeric"
              autoComplete="off"
              maxLength={8}
              w={260}
              required
              {...form.getInputProps('code')}
            />
          )}
          <FormErrorAlert message={formError} />
          <Group gap="sm">
            <Button type="submit" loading={form.submitting}>
              Let {who} in
            </Button>
            <Button variant="default" color="red" loading={rejecting} onClick={() => void reject()}>
              Turn down
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

export function JoinRequestsList({
  club,
  household,
  requests,
  manages,
}: {
  club: CoopClub;
  household: CoopHousehold;
  requests: CoopJoinRequest[];
  manages: boolean;
}) {
  if (requests.length === 0) {
    return (
      <NothingYet title="Nobody is waiting">
        People who ask to join {household.name} appear here, with their name, address and message.
      </NothingYet>
    );
  }
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Requests to join">
      {requests.map((request) => (
        <JoinRequestCard key={request.id} request={request} needsCode={club.join_code_required && !manages} />
      ))}
    </Stack>
  );
}
