import { Table, Text } from '@mantine/core';
import { api, call } from '../../api/client';
import type { NotificationSetting } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SectionCard } from '../../components/SectionCard';
import { NothingYet } from '../../components/States';
import { useResource } from '../../hooks/useResource';
import { SettingsTabs } from '../settings/SettingsTabs';
import { ChannelSelect } from './ChannelSelect';

export function NotificationSettingsPage() {
  const settings = useResource('notification-settings', async () => {
    return (await call(api.GET('/api/notifications/settings'))).items;
  });
  const replaceSetting = (saved: NotificationSetting) =>
    settings.replace((settings.data ?? []).map((s) => (s.type === saved.type ? saved : s)));

  return (
    <>
      <PageHeader
        title="Settings"
        description="Choose, for each kind of notification, where it reaches you."
      />
      <SettingsTabs current="/settings/notifications" />
      <SectionCard title="Notifications">
        <ResourceView
          resource={settings}
          loadingLabel="Loading your notification settings…"
          isEmpty={(items) => items.length === 0}
          empty={
            <NothingYet title="No kinds of notification yet">
              They appear as the product lines define them.
            </NothingYet>
          }
        >
          {(items) => (
            <Table.ScrollContainer minWidth={480}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Notification</Table.Th>
                    <Table.Th>Where it goes</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((setting) => (
                    <Table.Tr key={setting.type}>
                      <Table.Td>
                        <Text size="sm">{setting.label}</Text>
                        {!setting.chosen && (
                          <Text size="xs" c="dimmed">
                            The default
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <ChannelSelect setting={setting} onSaved={replaceSetting} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </ResourceView>
      </SectionCard>
    </>
  );
}
