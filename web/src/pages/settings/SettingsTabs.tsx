import { Tabs } from '@mantine/core';
import { useNavigate } from 'react-router';

const settingsPages = [
  { path: '/settings/profile', label: 'Profile' },
  { path: '/settings/api-keys', label: 'API keys' },
  { path: '/settings/notifications', label: 'Notifications' },
] as const;

/** The settings pages, one tab each; every tab is its own address, so it can be linked and reloaded. */
export function SettingsTabs({ current }: { current: (typeof settingsPages)[number]['path'] }) {
  const navigate = useNavigate();
  return (
    <Tabs value={current} onChange={(path) => path && navigate(path)} mb="lg">
      <Tabs.List aria-label="Settings">
        {settingsPages.map((page) => (
          <Tabs.Tab key={page.path} value={page.path}>
            {page.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}
