import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Notification } from '../../api/types';
import { formatDateTime } from '../../lib/dates';

/** A notification's link is a path in this app, or an address elsewhere. */
function NotificationLink({ link }: { link: string }) {
  if (link.startsWith('/')) {
    return (
      <Anchor component={Link} to={link} size="sm">
        Open
      </Anchor>
    );
  }
  return (
    <Anchor href={link} size="sm" target="_blank" rel="noopener noreferrer">
      Open
    </Anchor>
  );
}

export function NotificationItem({
  notification,
  onMarkRead,
}: {
  notification: Notification;
  onMarkRead: () => void;
}) {
  const unread = notification.read_at === null;
  return (
    <Card withBorder padding="md" component="li" bg={unread ? 'var(--mantine-color-blue-light)' : undefined}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs">
            {unread && (
              <Badge size="xs" color="blue">
                New
              </Badge>
            )}
            <Text fw={600} size="sm">
              {notification.title}
            </Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
            {notification.body}
          </Text>
          <Group gap="md">
            <Text size="xs" c="dimmed">
              {formatDateTime(notification.created_at)}
            </Text>
            {notification.link && <NotificationLink link={notification.link} />}
          </Group>
        </Stack>
        {unread && (
          <Button size="xs" variant="default" onClick={onMarkRead}>
            Mark read
          </Button>
        )}
      </Group>
    </Card>
  );
}
