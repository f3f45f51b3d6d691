import { Anchor, Badge, Card, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import type { CreditsActionPrice, CreditsReservation, CreditsWorkspace } from '../../../api/types';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import type { CursorPages } from '../../../hooks/useCursorPages';
import { useIsPhone } from '../../../hooks/useIsPhone';
import { formatToTheSecond } from '../../../lib/dates';
import { actionLabel, formatCredits } from '../format';

const WORKSPACE_RESERVE = /^workspace:(.+)$/;

/** A workspace's own reserve is released by archiving the workspace, never by hand. */
function workspaceOfReserve(reservation: CreditsReservation): string | null {
  if (reservation.action !== 'create_workspace') return null;
  return WORKSPACE_RESERVE.exec(reservation.reserved_for)?.[1] ?? null;
}

function Purpose({
  reservation,
  workspaces,
}: {
  reservation: CreditsReservation;
  workspaces: CreditsWorkspace[];
}) {
  const reserveOf = workspaceOfReserve(reservation);
  if (reserveOf) {
    const workspace = workspaces.find((w) => w.id === reserveOf);
    return (
      <Text size="sm">
        Reserve of workspace{' '}
        <Anchor component={Link} to={`/credits/workspaces/${reserveOf}`}>
          {workspace?.name ?? reserveOf}
        </Anchor>
      </Text>
    );
  }
  return (
    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
      {reservation.reserved_for}
    </Text>
  );
}

const heldOf = (reservation: CreditsReservation) =>
  (BigInt(reservation.amount) - BigInt(reservation.used_amount)).toString();

function ReleaseAction({
  reservation,
  onRelease,
}: {
  reservation: CreditsReservation;
  onRelease: (reservation: CreditsReservation) => Promise<void>;
}) {
  if (workspaceOfReserve(reservation) !== null) {
    return (
      <Badge variant="light" color="gray">
        archive to release
      </Badge>
    );
  }
  return (
    <ConfirmButton
      label="Release"
      question={`Release ${formatCredits(heldOf(reservation))}?`}
      consequence="The credits become available again; the work they were held for can no longer use them."
      confirmLabel="Release credits"
      onConfirm={() => onRelease(reservation)}
    />
  );
}

export function ReservationsSection({
  pages,
  prices,
  workspaces,
  onReleased,
}: {
  pages: CursorPages<CreditsReservation>;
  prices: CreditsActionPrice[] | undefined;
  workspaces: CreditsWorkspace[];
  onReleased: () => void;
}) {
  const isPhone = useIsPhone();
  const release = async (reservation: CreditsReservation) => {
    await call(api.POST('/api/credits/release', { body: { reservation_id: reservation.id } }));
    onReleased();
  };
  return (
    <SectionCard
      title="Reservations"
      description="Credits held for work in progress: used when the work is done, given back when released or expired."
    >
      <ResourceView
        resource={pages.first}
        loadingLabel="Loading the reservations…"
        isEmpty={(page) => page.items.length === 0}
        empty={
          <NothingYet title="Nothing is reserved">
            Creating a workspace reserves its price for the work done in it, and your application can reserve
            credits before a long action. Active reservations appear here.
          </NothingYet>
        }
      >
        {() => (
          <Stack gap="sm">
            {isPhone ? (
              <Stack
                component="ul"
                gap="xs"
                p={0}
                m={0}
                style={{ listStyle: 'none' }}
                aria-label="Active reservations"
              >
                {pages.items.map((reservation) => (
                  <Card key={reservation.id} withBorder padding="sm" component="li">
                    <Stack gap={4}>
                      <Group justify="space-between" wrap="nowrap" align="baseline">
                        <Text fw={700}>{formatCredits(heldOf(reservation))}</Text>
                        <Text size="xs" c="dimmed">
                          {formatToTheSecond(reservation.expires_at, 'does not expire')}
                        </Text>
                      </Group>
                      <Purpose reservation={reservation} workspaces={workspaces} />
                      <Group justify="space-between">
                        <Text size="xs" c="dimmed">
                          {actionLabel(prices, reservation.action)}
                        </Text>
                        <ReleaseAction reservation={reservation} onRelease={release} />
                      </Group>
                    </Stack>
                  </Card>
                ))}
              </Stack>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table aria-label="Active reservations" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Reserved for</Table.Th>
                      <Table.Th>Action</Table.Th>
                      <Table.Th ta="right">Held</Table.Th>
                      <Table.Th>Expires</Table.Th>
                      <Table.Th aria-label="Actions" />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {pages.items.map((reservation) => (
                      <Table.Tr key={reservation.id}>
                        <Table.Td>
                          <Purpose reservation={reservation} workspaces={workspaces} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{actionLabel(prices, reservation.action)}</Text>
                        </Table.Td>
                        <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                          {formatCredits(heldOf(reservation))}
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          {formatToTheSecond(reservation.expires_at, 'does not expire')}
                        </Table.Td>
                        <Table.Td>
                          <Group justify="flex-end">
                            <ReleaseAction reservation={reservation} onRelease={release} />
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <LoadOlder pages={pages} label="Load older reservations" />
          </Stack>
        )}
      </ResourceView>
    </SectionCard>
  );
}
