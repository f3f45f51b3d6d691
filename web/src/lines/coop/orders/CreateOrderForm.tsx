import { Button, Group, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import type { FormProblem } from '../../../lib/serverErrors';
import { useCoopRefresh } from '../club/ClubLayout';
import { orderPaths } from './resources';

/** An order manager (or the Admin) starts an order: every producer's liaison is then asked whether it can deliver. */
export function CreateOrderForm({ clubId }: { clubId: string }) {
  const navigate = useNavigate();
  const refresh = useCoopRefresh();
  const [pickup, setPickup] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormProblem | null>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const order = await call(
        api.POST('/api/coop/clubs/{id}/orders', {
          params: { path: { id: clubId } },
          body: pickup.trim() ? { pickup: pickup.trim() } : {},
        }),
      );
      await refresh();
      notifications.show({
        color: 'teal',
        message: `Order ${order.number} is created: the liaisons are asked whether their producers can deliver.`,
      });
      navigate(orderPaths(clubId, order.id).order);
    } catch (thrown) {
      const failure = asApiError(thrown);
      const running = (failure.details as { order_id?: unknown } | undefined)?.order_id;
      setError({
        message: failure.message,
        next:
          failure.code === 'order_in_progress' && typeof running === 'string'
            ? { to: orderPaths(clubId, running).order, label: 'Open that order.' }
            : undefined,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void create(event)} aria-label="Create an order" noValidate>
      <Stack gap="sm" maw={520}>
        <TextInput
          label="Pick-up"
          description="Where and when households pick their food up; you can change it later."
          placeholder="Saturday 10–12, community hall"
          value={pickup}
          onChange={(event) => setPickup(event.currentTarget.value)}
          maxLength={300}
        />
        <FormErrorAlert message={error} />
        <Group>
          <Button type="submit" loading={busy}>
            Create order
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
