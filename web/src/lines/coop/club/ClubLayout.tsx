import { Anchor, Badge, Box, Breadcrumbs, Group, Tabs, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext } from 'react';
import { Link, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { CoopClub, CoopHousehold, CoopJoinRequest, Member } from '../../../api/types';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { type Resource, useResource } from '../../../hooks/useResource';
import { useSignedInUser } from '../../../session/SessionContext';
import { COOP } from '../format';

interface ClubContextValue {
  club: CoopClub;
  /** Whether the signed-in person holds a permission in the club (`coop.households.manage`…). */
  can: (permission: string) => boolean;
}

const ClubContext = createContext<ClubContextValue | null>(null);

/** The club every page under /coop/clubs/:clubId is about, loaded once for them all. */
export function ClubLayout() {
  const { clubId = '' } = useParams();
  const club = useResource(`coop-club:${clubId}`, () =>
    call(api.GET('/api/coop/clubs/{id}', { params: { path: { id: clubId } } })),
  );
  return (
    <ResourceView resource={club} loadingLabel="Loading the club…">
      {(data) => (
        <ClubContext.Provider
          value={{ club: data, can: (permission) => data.my_permissions.includes(permission) }}
        >
          <Outlet />
        </ClubContext.Provider>
      )}
    </ResourceView>
  );
}

export function useClub(): ClubContextValue {
  const value = useContext(ClubContext);
  if (!value) throw new Error('useClub is used outside ClubLayout');
  return value;
}

/** After a change: everything the coop pages read is read again (a household, its club's lists). */
export function useCoopRefresh(): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      queryClient.invalidateQueries({
        predicate: (query) => {
          const key = query.queryKey[1];
          return (
            query.queryKey[0] === 'resource' &&
            typeof key === 'string' &&
            (key.startsWith('coop-') || key.startsWith('members:'))
          );
        },
      }),
    [queryClient],
  );
}

export function useHouseholds(clubId: string): Resource<CoopHousehold[]> {
  return useResource(
    `coop-households:${clubId}`,
    async () =>
      (await call(api.GET('/api/coop/clubs/{id}/households', { params: { path: { id: clubId } } }))).items,
  );
}

export function useClubMembers(clubId: string): Resource<Member[]> {
  return useResource(
    `members:${clubId}`,
    async () => (await call(api.GET('/api/orgs/{id}/members', { params: { path: { id: clubId } } }))).items,
  );
}

export function useMyJoinRequest(clubId: string): Resource<CoopJoinRequest | null> {
  return useResource(`coop-my-join-request:${clubId}`, () =>
    call(api.GET('/api/coop/clubs/{id}/my-join-request', { params: { path: { id: clubId } } })),
  );
}

/** The household the signed-in person lives in, among the club's households, or null. */
export function useMyHousehold(households: CoopHousehold[] | undefined): CoopHousehold | null {
  const user = useSignedInUser();
  return households?.find((h) => h.members.some((m) => m.user_id === user.id)) ?? null;
}

/** A person's name as people read it: their name, else their address. */
export const personName = (person: { name: string; email: string | null }) =>
  person.name || person.email || 'Someone without a name';

export const roleLabels: Record<string, string> = {
  owner: 'Admin',
  admin: 'Co-admin',
  order_manager: 'Order manager',
  bookkeeper: 'Bookkeeper',
  member: 'Member',
};

export const roleLabel = (role: string | null) => (role ? (roleLabels[role] ?? role) : 'Not a member');

interface ClubTab {
  path: string;
  label: string;
}

function tabsFor(clubId: string, can: (permission: string) => boolean): ClubTab[] {
  const base = `/coop/clubs/${clubId}`;
  return [
    { path: base, label: 'Home' },
    { path: `${base}/orders`, label: 'Orders' },
    { path: `${base}/households`, label: 'Households' },
    { path: `${base}/producers`, label: 'Producers' },
    { path: `${base}/products`, label: 'Products' },
    ...(can(COOP.books)
      ? [
          { path: `${base}/bank`, label: 'Bank' },
          { path: `${base}/accounts`, label: 'Accounts' },
        ]
      : []),
    { path: `${base}/members`, label: can(COOP.manageMembers) ? 'Members & roles' : 'Members' },
    ...(can(COOP.invite) ? [{ path: `${base}/invite-links`, label: 'Invite links' }] : []),
    ...(can(COOP.settings) || can(COOP.orders) || can(COOP.books)
      ? [{ path: `${base}/settings`, label: 'Settings' }]
      : []),
  ];
}

/** The longest tab path the address starts with: `/…/households/<id>` belongs to Households. */
function currentTab(tabs: ClubTab[], pathname: string): string | null {
  const matches = tabs.filter((tab) => pathname === tab.path || pathname.startsWith(`${tab.path}/`));
  return matches.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? null;
}

/** The club's parts, one tab each; every tab is an address of its own. */
export function ClubTabs() {
  const { club, can } = useClub();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const tabs = tabsFor(club.id, can);
  return (
    <Tabs value={currentTab(tabs, pathname)} onChange={(path) => path && navigate(path)} mb="lg">
      <Tabs.List aria-label={club.name} style={{ flexWrap: 'wrap' }}>
        {tabs.map((tab) => (
          <Tabs.Tab key={tab.path} value={tab.path}>
            {tab.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

/**
 * A page of a club: where it is (Coop › the club › the page it belongs to), its header, and the
 * club's tabs.
 */
export function ClubFrame({
  title,
  description,
  actions,
  trail = [],
  children,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** Pages between the club and this one: a product's producer, a household's list. */
  trail?: { label: string; to: string }[];
  children: ReactNode;
}) {
  const { club } = useClub();
  return (
    <>
      <Box component="nav" aria-label="Breadcrumb" mb="xs">
        <Breadcrumbs separator="›" style={{ flexWrap: 'wrap' }}>
          <Anchor component={Link} to="/coop" size="sm">
            Coop
          </Anchor>
          <Anchor component={Link} to={`/coop/clubs/${club.id}`} size="sm">
            {club.name}
          </Anchor>
          {trail.map((step) => (
            <Anchor key={step.to} component={Link} to={step.to} size="sm">
              {step.label}
            </Anchor>
          ))}
        </Breadcrumbs>
      </Box>
      <PageHeader title={title} description={description} actions={actions} />
      <ClubTabs />
      {children}
    </>
  );
}

/** The person's role in the club, as a badge. */
export function RoleBadge({ role }: { role: string | null }) {
  return (
    <Group gap={6} component="span" wrap="nowrap">
      <Text span size="sm" c="dimmed">
        Your role:
      </Text>
      <Badge variant="light" style={{ overflow: 'visible' }}>
        {roleLabel(role)}
      </Badge>
    </Group>
  );
}

/** The requests waiting to join a household (its members and the club's admin see them). */
export async function loadJoinRequests(householdId: string): Promise<CoopJoinRequest[]> {
  const { items } = await call(
    api.GET('/api/coop/households/{id}/join-requests', { params: { path: { id: householdId } } }),
  );
  return items.filter((request): request is CoopJoinRequest => request !== null);
}
