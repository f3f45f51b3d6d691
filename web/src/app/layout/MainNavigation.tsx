import { Badge, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { isBuilt, webLines } from '../../lines';
import { useSession } from '../../session/SessionContext';
import { useTenant } from '../tenant';
import { useUnreadCount } from '../UnreadCount';

function NavSection({ title, children }: { title: string; children: ReactNode }) {
  const id = `nav-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Stack gap={2} component="section" aria-labelledby={id}>
      <Text id={id} size="xs" fw={700} tt="uppercase" c="dimmed" px="sm" pt="sm" pb={4}>
        {title}
      </Text>
      {children}
    </Stack>
  );
}

function NavItem({
  to,
  label,
  right,
  onNavigate,
}: {
  to: string;
  label: string;
  right?: ReactNode;
  onNavigate: () => void;
}) {
  const { pathname } = useLocation();
  const active = pathname === to || pathname.startsWith(`${to}/`);
  return (
    <NavLink
      component={Link}
      to={to}
      label={label}
      active={active}
      aria-current={active ? 'page' : undefined}
      rightSection={right}
      onClick={onNavigate}
    />
  );
}

function UnreadBadge() {
  const { count } = useUnreadCount();
  if (!count) return null;
  return (
    <Badge size="sm" circle={count < 10} color="red" aria-label={`${count} unread`}>
      {count > 99 ? '99+' : count}
    </Badge>
  );
}

/**
 * The one navigation (UI.md): the four lines, those people can use before those still being built,
 * then the person's organisations, wallet, notifications, settings.
 */
export function MainNavigation({ onNavigate }: { onNavigate: () => void }) {
  const { session } = useSession();
  const isAdmin = session.status === 'signed-in' && session.user.is_admin;
  // A reseller's domain is its credits shop: Tally's other lines are not its to offer.
  const tenant = useTenant();
  const lines = tenant ? webLines.filter((line) => line.slug === 'credits') : webLines;
  const coming = lines.filter((line) => !isBuilt(line));
  return (
    <ScrollArea type="auto" h="100%">
      <Stack gap="xs" component="nav" aria-label="Main" pb="md">
        <NavSection title="Product lines">
          {lines.filter(isBuilt).map((line) => (
            <NavItem onNavigate={onNavigate} key={line.slug} to={`/${line.slug}`} label={line.name} />
          ))}
        </NavSection>
        {coming.length > 0 && (
          <NavSection title="Being built">
            {coming.map((line) => (
              <NavItem onNavigate={onNavigate} key={line.slug} to={`/${line.slug}`} label={line.name} />
            ))}
          </NavSection>
        )}
        <NavSection title="You">
          <NavItem onNavigate={onNavigate} to="/orgs" label="Organisations" />
          <NavItem onNavigate={onNavigate} to="/wallet" label="Wallet" />
          <NavItem
            onNavigate={onNavigate}
            to="/notifications"
            label="Notifications"
            right={<UnreadBadge />}
          />
          <NavItem onNavigate={onNavigate} to="/settings" label="Settings" />
        </NavSection>
        <NavSection title="Tools">
          <NavItem onNavigate={onNavigate} to="/mailbox" label="Mailbox" />
          {isAdmin && <NavItem onNavigate={onNavigate} to="/admin/audit" label="Audit log" />}
          {isAdmin && <NavItem onNavigate={onNavigate} to="/admin/chain" label="Chain" />}
          <NavLink href="/docs" label="API reference" component="a" onClick={onNavigate} />
        </NavSection>
      </Stack>
    </ScrollArea>
  );
}
