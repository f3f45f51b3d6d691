import { Anchor, Button, Group, List, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { CoopClub } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { FormErrorAlert } from '../../components/FormErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { LoadingState, NothingYet } from '../../components/States';
import { useFocusFirstInvalid } from '../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../hooks/useFormDraft';
import { useResource } from '../../hooks/useResource';
import { formatToTheSecond } from '../../lib/dates';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { checkRequired } from '../../lib/validators';
import { withNext } from '../../session/nextPath';
import { useSession } from '../../session/SessionContext';
import { roleLabel } from './club/ClubLayout';

/** What a buyers club is, for someone meeting the line for the first time. */
function WhatAClubIs() {
  return (
    <Stack gap="xs">
      <Text size="sm">
        A buyers club is a group of households that buy food together, straight from local producers: the club
        collects everyone’s order, the producers deliver once, and each household pays the club for what it
        ordered.
      </Text>
      <List size="sm" spacing={4}>
        <List.Item>Each person belongs to one household of the club; a household orders as one.</List.Item>
        <List.Item>
          Members add the producers they know, with their products and prices; the price a member pays
          includes the club’s margin and VAT.
        </List.Item>
        <List.Item>
          The club’s Admin invites people with a link, and names an order manager and a bookkeeper.
        </List.Item>
      </List>
    </Stack>
  );
}

function StartClubForm() {
  const navigate = useNavigate();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: '', join_code_required: true },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the club') },
  });
  useFormDraft(form, 'start-club');
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const club = await call(
        api.POST('/api/coop/clubs', {
          body: { name: values.name.trim(), join_code_required: values.join_code_required },
        }),
      );
      notifications.show({ color: 'teal', message: `${club.name} is started: you are its Admin.` });
      navigate(`/coop/clubs/${club.id}`);
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Start a club">
      <Stack gap="md" maw={520}>
        <TextInput label="Name of the club" required {...form.getInputProps('name')} />
        <Switch
          label="Households admit people with a code"
          description="Someone asking to join a household is shown a four-digit code to tell a member of it, in person or on the phone: nobody joins under a neighbour’s name. You can change this later."
          {...form.getInputProps('join_code_required', { type: 'checkbox' })}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Start the club
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ClubsTable({ clubs }: { clubs: CoopClub[] }) {
  return (
    <DataTable
      label="Your clubs"
      rows={clubs}
      rowKey={(club) => club.id}
      searchLabel="Search clubs"
      exportName="buyers-clubs"
      initialSort={{ columnId: 'name', direction: 'ascending' }}
      minWidth={520}
      columns={[
        {
          id: 'name',
          header: 'Club',
          cardTitle: true,
          sortValue: (club) => club.name,
          csv: (club) => club.name,
          cell: (club) => (
            <Anchor component={Link} to={`/coop/clubs/${club.id}`} fw={500}>
              {club.name}
            </Anchor>
          ),
        },
        {
          id: 'role',
          header: 'Your role',
          sortValue: (club) => roleLabel(club.my_role),
          csv: (club) => roleLabel(club.my_role),
          cell: (club) => roleLabel(club.my_role),
        },
        {
          id: 'code',
          header: 'Joining a household',
          csv: (club) => (club.join_code_required ? 'with a code' : 'on approval'),
          cell: (club) => (club.join_code_required ? 'With a code' : 'On a member’s approval'),
        },
        {
          id: 'created',
          header: 'Started',
          nowrap: true,
          sortValue: (club) => club.created_at,
          csv: (club) => club.created_at,
          cell: (club) => formatToTheSecond(club.created_at),
        },
      ]}
    />
  );
}

function SignedInHome() {
  const clubs = useResource('coop-clubs', async () => (await call(api.GET('/api/coop/clubs'))).items);
  const firstTime = clubs.data?.length === 0;
  return (
    <Stack gap="lg">
      <SectionCard
        title="Your clubs"
        description="The buyers clubs you belong to. Open one to order with it."
      >
        <ResourceView
          resource={clubs}
          loadingLabel="Loading your clubs…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet title="You are in no buyers club yet">
              <Stack gap="sm" align="center">
                <WhatAClubIs />
                <Text size="sm">
                  <strong>To join a club,</strong> ask its Admin for an invite link and open it: you will be
                  brought into the club, then choose your household. <strong>To start one,</strong> use the
                  form below; you will be its Admin.
                </Text>
              </Stack>
            </NothingYet>
          }
        >
          {(items) => <ClubsTable clubs={items} />}
        </ResourceView>
      </SectionCard>
      <SectionCard
        title="Start a club"
        description={
          firstTime
            ? 'Start one for your neighbourhood or your friends: you become its Admin, and invite the others with a link.'
            : 'Another club, for another group: you become its Admin.'
        }
      >
        <StartClubForm />
      </SectionCard>
    </Stack>
  );
}

/** /coop: the person's buyers clubs, or what a club is and how to start or join one. */
export function CoopHomePage() {
  const { session } = useSession();
  return (
    <>
      <PageHeader
        title="Coop"
        description="Buyers clubs: households buying food together from local producers."
      />
      {session.status === 'loading' ? (
        <LoadingState label="Checking who is signed in…" />
      ) : session.status === 'signed-in' ? (
        <SignedInHome />
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <SectionCard title="What a buyers club is">
            <WhatAClubIs />
          </SectionCard>
          <SectionCard
            title="Join or start a club"
            description="Got an invite link from a club’s Admin? Open it: it brings you here after you log in or sign up."
          >
            <Group>
              <Button component={Link} to={withNext('/login', '/coop')}>
                Log in
              </Button>
              <Button component={Link} to={withNext('/signup', '/coop')} variant="default">
                Create an account
              </Button>
            </Group>
          </SectionCard>
        </SimpleGrid>
      )}
    </>
  );
}
