import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session/SessionContext';

interface GatewayTab {
  path: string;
  label: string;
}

function tabsFor(isAdmin: boolean): GatewayTab[] {
  return [
    { path: '/gateway', label: 'Overview' },
    { path: '/gateway/deposit', label: 'Deposit' },
    { path: '/gateway/history', label: 'History' },
    { path: '/gateway/sessions', label: 'Session keys' },
    { path: '/gateway/playground', label: 'Playground' },
    { path: '/gateway/withdraw', label: 'Withdraw' },
    { path: '/gateway/catalogue', label: 'Catalogue' },
    { path: '/gateway/provider', label: 'Provider' },
    ...(isAdmin ? [{ path: '/gateway/admin', label: 'Admin' }] : []),
  ];
}

export const providerTabs: GatewayTab[] = [
  { path: '/gateway/provider', label: 'Profile' },
  { path: '/gateway/provider/servers', label: 'Servers' },
  { path: '/gateway/provider/kyc', label: 'KYC' },
  { path: '/gateway/provider/earnings', label: 'Earnings' },
  { path: '/gateway/provider/encrypted', label: 'Encrypted payouts' },
];

export const adminTabs: GatewayTab[] = [
  { path: '/gateway/admin/kyc', label: 'KYC review' },
  { path: '/gateway/admin/settlements', label: 'Settlements' },
  { path: '/gateway/admin/settings', label: 'Settings' },
];

/** The longest tab path the address starts with: `/gateway/deposits/…` belongs to Deposit. */
function currentTab(tabs: GatewayTab[], pathname: string): string | null {
  const path = pathname.replace(/^\/gateway\/deposits(\/|$)/, '/gateway/deposit$1');
  const matches = tabs.filter((tab) => path === tab.path || path.startsWith(`${tab.path}/`));
  return matches.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? null;
}

function TabRow({ label, tabs, pills = false }: { label: string; tabs: GatewayTab[]; pills?: boolean }) {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  return (
    <Tabs
      value={currentTab(tabs, pathname)}
      onChange={(path) => path && navigate(path)}
      variant={pills ? 'pills' : 'default'}
      mb="lg"
    >
      <Tabs.List aria-label={label}>
        {tabs.map((tab) => (
          <Tabs.Tab key={tab.path} value={tab.path}>
            {tab.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

/** The gateway line's pages, one tab each, for a signed-in person; visitors see the catalogue alone. */
export function GatewayTabs() {
  const { session } = useSession();
  if (session.status !== 'signed-in') return null;
  return <TabRow label="Gateway" tabs={tabsFor(session.user.is_admin)} />;
}

export interface GatewayFrameProps {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}

/** A page of the line: its header and the line's tabs. */
export function GatewayFrame({ title, description, actions, children }: GatewayFrameProps) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <GatewayTabs />
      {children}
    </>
  );
}

/** A page of the provider portal: the line's tabs and the portal's. */
export function ProviderFrame(props: GatewayFrameProps) {
  return (
    <>
      <PageHeader title={props.title} description={props.description} actions={props.actions} />
      <GatewayTabs />
      <TabRow label="Provider portal" tabs={providerTabs} pills />
      {props.children}
    </>
  );
}

/** A page of the gateway's administration: the line's tabs and the administration's. */
export function AdminFrame(props: GatewayFrameProps) {
  return (
    <>
      <PageHeader title={props.title} description={props.description} actions={props.actions} />
      <GatewayTabs />
      <TabRow label="Gateway administration" tabs={adminTabs} pills />
      {props.children}
    </>
  );
}
