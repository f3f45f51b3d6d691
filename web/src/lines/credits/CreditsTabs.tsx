import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session/SessionContext';
import { useCredits } from './CreditsLayout';

interface CreditsTab {
  path: string;
  label: string;
}

function tabsFor(isAdmin: boolean, isReseller: boolean): CreditsTab[] {
  return [
    { path: '/credits', label: 'Dashboard' },
    { path: '/credits/workspaces', label: 'Workspaces' },
    { path: '/credits/usage', label: 'Usage' },
    { path: '/credits/products', label: 'Products' },
    ...(isReseller ? [{ path: '/credits/reseller', label: 'Reseller' }] : []),
    ...(isAdmin ? [{ path: '/credits/admin', label: 'Admin' }] : []),
  ];
}

/** The longest tab path the address starts with: `/credits/workspaces/…` belongs to Workspaces. */
function currentTab(tabs: CreditsTab[], pathname: string): string | null {
  const matches = tabs.filter((tab) => pathname === tab.path || pathname.startsWith(`${tab.path}/`));
  return matches.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? null;
}

/** The credits line's pages, one tab each; every tab is an address of its own. */
export function CreditsTabs() {
  const { session } = useSession();
  const { profile } = useCredits();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  if (session.status !== 'signed-in') return null;
  const tabs = tabsFor(session.user.is_admin, profile.data?.type === 'whitelabel');
  return (
    <Tabs value={currentTab(tabs, pathname)} onChange={(path) => path && navigate(path)} mb="lg">
      <Tabs.List aria-label="Credits">
        {tabs.map((tab) => (
          <Tabs.Tab key={tab.path} value={tab.path}>
            {tab.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

/** A second row of tabs inside one part of the line (Admin, Reseller). */
export function CreditsSubTabs({ label, tabs }: { label: string; tabs: CreditsTab[] }) {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  return (
    <Tabs
      value={currentTab(tabs, pathname)}
      onChange={(path) => path && navigate(path)}
      variant="pills"
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

export interface CreditsFrameProps {
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}

/** A page in one of the line's areas (administration, reseller): its header, the line's tabs and the area's. */
export function CreditsAreaFrame({
  area,
  tabs,
  title,
  description,
  actions,
  children,
}: CreditsFrameProps & { area: string; tabs: CreditsTab[] }) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <CreditsTabs />
      <CreditsSubTabs label={area} tabs={tabs} />
      {children}
    </>
  );
}
