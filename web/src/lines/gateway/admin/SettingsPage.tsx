import { Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { placeServerErrors } from '../components/serverErrors';
import { checkUsdc, formatBps, parseUsdc, usdcNumber } from '../format';
import { AdminFrame } from '../GatewayTabs';
import type { GatewaySettings } from '../types';

const MAX_FEE_BPS = 5000;
const MAX_INTERVAL_HOURS = 24 * 31;

/** A fee typed as a percentage (`5`, `2.5`, `2,5`) in basis points, or null when it is not one. */
export function parseFeePercent(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim().replace(/\s*%$/, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function checkFee(value: string): string | null {
  const bps = parseFeePercent(value);
  if (bps === null) return 'Enter a percentage such as 5 or 2.5, with at most two decimals';
  return bps > MAX_FEE_BPS ? `At most ${formatBps(MAX_FEE_BPS)}` : null;
}

function checkInterval(value: string): string | null {
  if (!/^\d+$/.test(value.trim())) return 'Enter a whole number of hours, such as 24';
  const hours = Number(value);
  return hours < 1 || hours > MAX_INTERVAL_HOURS ? `From 1 to ${MAX_INTERVAL_HOURS} hours (31 days)` : null;
}

function SettingsForm({
  settings,
  onSaved,
}: {
  settings: GatewaySettings;
  onSaved: (s: GatewaySettings) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      fee_bps: String(settings.fee_bps / 100),
      minimum_payout: usdcNumber(settings.minimum_payout),
      interval_hours: String(settings.interval_hours),
    },
    validateInputOnChange: true,
    validate: {
      fee_bps: checkFee,
      minimum_payout: checkUsdc({ allowZero: true }),
      interval_hours: checkInterval,
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const minimum = parseUsdc(values.minimum_payout, { allowZero: true });
    const fee = parseFeePercent(values.fee_bps);
    if (!minimum.ok || fee === null) return;
    try {
      const saved = await call(
        api.PUT('/api/gateway/settings', {
          body: {
            fee_bps: fee,
            minimum_payout: minimum.micro,
            interval_hours: Number(values.interval_hours),
          },
        }),
      );
      notifications.show({
        color: 'teal',
        message: 'The settlement settings are saved; the next run uses them.',
      });
      onSaved(saved);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  const fee = parseFeePercent(form.values.fee_bps);
  const minimum = parseUsdc(form.values.minimum_payout, { allowZero: true });
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Settlement settings">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <TextInput
            label="Platform fee"
            required
            inputMode="decimal"
            rightSection="%"
            description={
              fee !== null
                ? `${fee} basis points of each call's price.`
                : 'A percentage of each call, at most 50 %.'
            }
            {...form.getInputProps('fee_bps')}
          />
          <TextInput
            label="Minimum payout"
            required
            inputMode="decimal"
            rightSection="USDC"
            rightSectionWidth={56}
            description={
              minimum.ok
                ? `Providers are paid on chain once they hold ${minimum.micro === '0' ? 'anything' : `at least ${usdcNumber(minimum.micro)} USDC`}.`
                : 'Below it, earnings are carried forward.'
            }
            {...form.getInputProps('minimum_payout')}
          />
          <TextInput
            label="Settlement interval"
            required
            inputMode="numeric"
            rightSection="hours"
            rightSectionWidth={56}
            description="How often served calls are settled."
            {...form.getInputProps('interval_hours')}
          />
        </SimpleGrid>
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
            Save settings
          </Button>
          {!form.isDirty() && (
            <Text size="sm" c="dimmed">
              Change a value to save it.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** /gateway/admin/settings: the platform fee, the minimum payout and the settlement interval. */
export function SettingsPage() {
  const settings = useResource('gateway-settings', () => call(api.GET('/api/gateway/settings')));
  return (
    <AdminFrame
      title="Gateway settings"
      description="What the next settlement runs use. Past runs keep the settings they were run with."
    >
      <SectionCard title="Settlement">
        <ResourceView resource={settings} loadingLabel="Loading the settings…">
          {(data) => <SettingsForm key={JSON.stringify(data)} settings={data} onSaved={settings.replace} />}
        </ResourceView>
      </SectionCard>
    </AdminFrame>
  );
}
