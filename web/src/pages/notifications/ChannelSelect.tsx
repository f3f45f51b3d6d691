import { Select } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { asApiError } from '../../api/errors';
import type { NotificationChannel, NotificationSetting } from '../../api/types';

const channelLabels: Record<NotificationChannel, string> = {
  in_app: 'In Tally only',
  email: 'By email only',
  both: 'In Tally and by email',
  none: 'Not at all',
};

const isChannel = (value: string | null): value is NotificationChannel =>
  value !== null && value in channelLabels;

/** Saves a notification type's channel as soon as it is chosen; a refusal shows under the select. */
export function ChannelSelect({
  setting,
  onSaved,
}: {
  setting: NotificationSetting;
  onSaved: (setting: NotificationSetting) => void;
}) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (channel: string | null) => {
    if (!isChannel(channel) || channel === setting.channel) return;
    setSaving(true);
    setError(null);
    try {
      onSaved(
        await call(
          api.PUT('/api/notifications/settings/{type}', {
            params: { path: { type: setting.type } },
            body: { channel },
          }),
        ),
      );
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Select
      aria-label={`Where “${setting.label}” goes`}
      data={Object.entries(channelLabels).map(([value, label]) => ({ value, label }))}
      value={setting.channel}
      onChange={(value) => void save(value)}
      allowDeselect={false}
      disabled={saving}
      error={error}
      w={220}
    />
  );
}
