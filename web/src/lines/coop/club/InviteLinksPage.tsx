import { Badge, Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopInviteLink } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SecretDialog } from '../../../components/SecretDialog';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { useSignedInUser } from '../../../session/SessionContext';
import { COOP } from '../format';
import { ClubFrame, useClub, useClubMembers } from './ClubLayout';

type LinkState = 'active' | 'revoked' | 'expired';

const stateOf = (link: CoopInviteLink, now: number): LinkState =>
  link.revoked_at ? 'revoked' : Date.parse(link.expires_at) <= now ? 'expired' : 'active';

const stateBadge: Record<LinkState, { color: string; label: string }> = {
  active: { color: 'teal', label: 'Active' },
  revoked: { color: 'gray', label: 'Revoked' },
  expired: { color: 'gray', label: 'Expired' },
};

function LinksTable({
  links,
  onRevoke,
}: {
  links: CoopInviteLink[];
  onRevoke: (link: CoopInviteLink) => Promise<void>;
}) {
  const { club } = useClub();
  const user = useSignedInUser();
  const members = useClubMembers(club.id);
  const now = Date.now();
  const maker = (link: CoopInviteLink) =>
    link.created_by === user.id
      ? 'You'
      : (members.data?.find((m) => m.user_id === link.created_by)?.name ?? 'A former member');
  return (
    <DataTable
      label="Invite links"
      rows={links}
      rowKey={(link) => link.id}
      exportName="invite-links"
      initialSort={{ columnId: 'created', direction: 'descending' }}
      minWidth={680}
      columns={[
        {
          id: 'created',
          header: 'Made',
          nowrap: true,
          cardTitle: true,
          sortValue: (link) => link.created_at,
          csv: (link) => link.created_at,
          cell: (link) => formatToTheSecond(link.created_at),
        },
        { id: 'by', header: 'By', sortValue: maker, csv: maker, cell: maker },
        {
          id: 'state',
          header: 'State',
          sortValue: (link) => stateOf(link, now),
          csv: (link) => stateOf(link, now),
          cell: (link) => {
            const badge = stateBadge[stateOf(link, now)];
            return (
              <Badge variant="light" color={badge.color} style={{ overflow: 'visible' }}>
                {badge.label}
              </Badge>
            );
          },
        },
        {
          id: 'expires',
          header: 'Works until',
          nowrap: true,
          sortValue: (link) => link.revoked_at ?? link.expires_at,
          csv: (link) => link.revoked_at ?? link.expires_at,
          cell: (link) =>
            link.revoked_at
              ? `revoked ${formatToTheSecond(link.revoked_at)}`
              : formatToTheSecond(link.expires_at),
        },
        {
          id: 'uses',
          header: 'People who joined',
          align: 'right',
          sortValue: (link) => link.uses,
          csv: (link) => String(link.uses),
          cell: (link) => link.uses,
        },
        {
          id: 'actions',
          header: 'Actions',
          align: 'right',
          cell: (link) =>
            stateOf(link, now) === 'active' && (
              <ConfirmButton
                label="Revoke"
                aria-label={`Revoke the link made ${formatToTheSecond(link.created_at)}`}
                question="Revoke this invite link?"
                consequence="Whoever holds it can no longer join the club with it. People who joined with it stay."
                confirmLabel="Revoke"
                onConfirm={() => onRevoke(link)}
              />
            ),
        },
      ]}
    />
  );
}

/** /coop/clubs/:clubId/invite-links: links that bring people into the club; each is shown once. */
export function InviteLinksPage() {
  const { club, can } = useClub();
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const links = useResource(
    `coop-invite-links:${club.id}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/invite-links', { params: { path: { id: club.id } } }))).items,
  );
  if (!can(COOP.invite)) {
    return (
      <ClubFrame title="Invite links">
        <FormErrorAlert message="Only the club’s Admin makes invite links. Ask them for one." />
      </ClubFrame>
    );
  }
  const make = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await call(
        api.POST('/api/coop/clubs/{id}/invite-links', { params: { path: { id: club.id } } }),
      );
      setUrl(made.url);
      await links.reload();
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (link: CoopInviteLink) => {
    await call(
      api.POST('/api/coop/clubs/{id}/invite-links/{linkId}/revoke', {
        params: { path: { id: club.id, linkId: link.id } },
      }),
    );
    await links.reload();
    notifications.show({ message: 'The link is revoked.' });
  };
  return (
    <ClubFrame
      title="Invite links"
      description="Send a link to the people you want in the club: whoever opens it joins as a Member, then chooses a household."
      actions={
        <Button onClick={() => void make()} loading={busy}>
          Make an invite link
        </Button>
      }
    >
      <Stack gap="lg">
        <FormErrorAlert message={error} />
        <SectionCard
          title="Links"
          description="Tally keeps no copy of a link: it is shown once, when made. Revoke a link that went to the wrong place."
        >
          <ResourceView
            resource={links}
            loadingLabel="Loading the links…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No invite link yet">
                Make one with “Make an invite link”, copy it, and send it by mail or message to the people you
                want in {club.name}.
              </NothingYet>
            }
          >
            {(items) => <LinksTable links={items} onRevoke={revoke} />}
          </ResourceView>
        </SectionCard>
      </Stack>
      <SecretDialog
        title="Invite link made"
        label="Invite link"
        secret={url}
        ifLost="revoke it and make a new one"
        warning={
          <Text size="sm" component="span">
            This is the only time Tally shows this link. Copy it and send it to the people you want in{' '}
            {club.name}; anyone holding it can join until it expires. If it is lost, revoke it and make a new
            one.
          </Text>
        }
        onStored={() => setUrl(null)}
      />
    </ClubFrame>
  );
}
