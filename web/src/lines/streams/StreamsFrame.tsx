import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session/SessionContext';

const tabs = [
  { path: '/streams', label: 'Producers' },
  { path: '/streams/producer', label: 'Your producer page' },
];

/** The tab of an address: a producer's public page belongs to Producers, a plan's form to the producer's page. */
function currentTab(pathname: string): string {
  return pathname.startsWith('/streams/producer/') || pathname === '/streams/producer'
    ? '/streams/producer'
    : '/streams';
}

/** The streams line's two places, for a signed-in person: the producers to subscribe to, and their own. */
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
