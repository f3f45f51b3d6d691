import { Button, Group, SegmentedControl, Stack } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import { useUnreadCount } from '../../app/UnreadCount';
import { LoadOlder } from '../../components/LoadOlder';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { NothingYet } from '../../components/States';
import { useCursorPages } from '../../hooks/useCursorPages';
import { NotificationItem } from './NotificationItem';

type Filter = 'all' | 'unread';

export function NotificationsPage() {
  const [filter, setFilter] = useState<Filter>('all');
  const unreadCount = useUnreadCount();
  const loadPage = useCallback(
    async (cursor?: string) =>
      call(
        api.GET('/api/notifications', {
          params: { query: { ...(filter === 'unread' ? { unread: 'true' as const } : {}), cursor } },
        }),
      ),
    [filter],
  );
  const pages = useCursorPages(`notifications:${filter}`, loadPage);

  const afterChange = async () => {
    await Promise.all([pages.reload(), unreadCount.refresh()]);
  };
  const markRead = async (id: string) => {
    try {
      await call(api.POST('/api/notifications/{id}/read', { params: { path: { id } } }));
      await afterChange();
    } catch (error) {
      toasts.show({ color: 'red', title: 'Not marked as read', message: asApiError(error).message });
    }
  };
  const markAllRead = async () => {
    try {
      await call(api.POST('/api/notifications/read-all'));
      await afterChange();
    } catch (error) {
      toasts.show({ color: 'red', title: 'Not marked as read', message: asApiError(error).message });
    }
  };

  return (
    <>
      <PageHeader
        title="Notifications"
        description="What happened in your organisations and product lines, newest first."
        actions={
          <>
            <Button variant="default" onClick={() => void markAllRead()} disabled={!unreadCount.count}>
              Mark all read
            </Button>
            <Button component={Link} to="/settings/notifications" variant="default">
              Settings
            </Button>
          </>
        }
      />
      <Stack gap="md">
        <Group>
          <SegmentedControl
            aria-label="Which notifications"
            value={filter}
            onChange={(value) => setFilter(value === 'unread' ? 'unread' : 'all')}
            data={[
              { value: 'all', label: 'All' },
              { value: 'unread', label: 'Unread' },
            ]}
          />
        </Group>
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading your notifications…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            <NothingYet title={filter === 'unread' ? 'Nothing unread' : 'No notifications yet'}>
              Invitations, orders and payments will show up here as they happen. Choose where each kind goes
              in the settings.
            </NothingYet>
          }
        >
          {() => (
            <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
              {pages.items.map((notification) => (
                <NotificationItem
                  key={notification.id}
                  notification={notification}
                  onMarkRead={() => void markRead(notification.id)}
                />
              ))}
            </Stack>
          )}
        </ResourceView>
        <LoadOlder pages={pages} />
      </Stack>
    </>
  );
}
