import { Avatar, Button, Group, Menu, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate } from 'react-router';
import { asApiError } from '../../api/errors';
import { displayName } from '../../session/displayName';
import { useSession } from '../../session/SessionContext';

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase());
  return letters.join('') || '?';
}

/** The header's right side: log in / sign up, or the signed-in person's menu. */
export function AccountMenu() {
  const { session, signOut } = useSession();
  const navigate = useNavigate();

  if (session.status !== 'signed-in') {
    if (session.status === 'loading') return null;
    return (
      <Group gap="xs">
        <Button component={Link} to="/login" variant="default" size="sm">
          Log in
        </Button>
        <Button component={Link} to="/signup" size="sm" visibleFrom="xs">
          Sign up
        </Button>
      </Group>
    );
  }

  const logOut = async () => {
    try {
      await signOut();
      navigate('/');
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not log out', message: asApiError(error).message });
    }
  };

  const { user } = session;
  const name = displayName(user);
  return (
    <Menu position="bottom-end" width={220}>
      <Menu.Target>
        {/* Named by its content, not an aria-label: what is seen (initials, the name) is what is read. */}
        <UnstyledButton>
          <Group gap="xs" wrap="nowrap">
            <Avatar size="sm" color="blue" radius="xl" aria-hidden>
              {initials(name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" truncate maw={160} aria-hidden>
              {name}
            </Text>
            <VisuallyHidden>{`${name}: account menu`}</VisuallyHidden>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        {user.email && <Menu.Label>{user.email}</Menu.Label>}
        <Menu.Item component={Link} to="/settings/profile">
          Profile
        </Menu.Item>
        <Menu.Item component={Link} to="/settings/api-keys">
          API keys
        </Menu.Item>
        <Menu.Item component={Link} to="/notifications">
          Notifications
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item onClick={() => void logOut()}>Log out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
