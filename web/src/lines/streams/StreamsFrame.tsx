import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session/SessionContext';

const tabs = [
  { path: '/streams', label: 'Producers' },
  { path: '/streams/subscriptions', label: 'Your subscriptions' },
  { path: '/streams/producer', label: 'Your producer page' },
];

/** The tab of an address: a producer's public page belongs to Producers, a plan's form to the producer's page. */
function currentTab(pathname: string): string {
  if (pathname.startsWith('/streams/producer/') || pathname === '/streams/producer')
    return '/streams/producer';
  if (pathname.startsWith('/streams/subscriptions')) return '/streams/subscriptions';
  return '/streams';
}

/** The streams line's places, for a signed-in person: the producers to subscribe to, their subscriptions, and their own producer page. */
function StreamsTabs() {
  const { session } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  if (session.status !== 'signed-in') return null;
  return (
    <Tabs value={currentTab(pathname)} onChange={(path) => path && navigate(path)} mb="lg">
      <Tabs.List aria-label="Streams">
        {tabs.map((tab) => (
          <Tabs.Tab key={tab.path} value={tab.path}>
            {tab.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}

/** A page of the line: its header and the line's tabs. */
export function StreamsFrame({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <StreamsTabs />
      {children}
    </>
  );
}
