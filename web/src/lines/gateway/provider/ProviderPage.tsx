import { Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../../api/client';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { checkRequired } from '../../../lib/validators';
import { useSignedInUser } from '../../../session/SessionContext';
import { useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { placeServerErrors } from '../components/serverErrors';
import { present, useOwnProvider } from '../data';
import { formatMoment } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayProvider } from '../types';
import { kycNextStep } from './kycWords';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
export const checkAddress = (value: string) =>
  ADDRESS.test(value.trim()) ? null : 'Enter a 0x address of 40 hexadecimal digits';

/** The profile's two fields, for becoming a provider and for changing them. */
function ProviderForm({
  provider,
  onSaved,
}: {
  provider: GatewayProvider | null;
  onSaved: (provider: GatewayProvider) => void;
}) {
  const user = useSignedInUser();
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: provider?.name ?? '',
      payout_address: provider?.payout_address ?? user.wallets[0]?.address ?? '',
    },
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the name people see your servers under', 100),
      payout_address: checkAddress,
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    const body = { name: values.name.trim(), payout_address: values.payout_address.trim() };
    try {
      const saved = present(
        provider
          ? await call(api.PATCH('/api/gateway/provider', { body }))
          : await call(api.POST('/api/gateway/provider', { body })),
      );
      notifications.show({
        color: 'teal',
        message: provider ? 'Your provider profile is saved.' : 'You are a provider now.',
      });
      form.resetDirty(body);
      onSaved(saved);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={provider ? 'Change your provider profile' : 'Become a provider'}
    >
      <Stack gap="md" maw={560}>
        <TextInput
          label="Name"
          description="Shown with your servers in the catalogue."
          required
          {...form.getInputProps('name')}
        />
        <TextInput
          label="Payout address"
          description="The wallet your earnings are paid to, in USDC. Changing it needs your password session, never an API key."
          required
          autoComplete="off"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('payout_address')}
        />
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={provider !== null && !form.isDirty()}>
            {provider ? 'Save changes' : 'Become a provider'}
          </Button>
          {provider !== null && !form.isDirty() && (
            <Text size="sm" c="dimmed">
              Change the name or the address to save it.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function ProviderProfile({
  provider,
  onSaved,
}: {
  provider: GatewayProvider;
  onSaved: (p: GatewayProvider) => void;
}) {
  return (
    <Stack gap="lg">
      <SectionCard title="Where you stand">
        <Facts
          facts={[
            { label: 'Name', value: provider.name },
            {
              label: 'Payout address',
              value: <CopyValue value={provider.payout_address} label="Payout address" />,
            },
            { label: 'KYC', value: <StateBadge state={provider.kyc.state} /> },
            { label: 'Provider since', value: formatMoment(provider.created_at) },
          ]}
        />
        <Text size="sm">
          {kycNextStep(provider)}{' '}
          <Anchor component={Link} to="/gateway/provider/kyc" size="sm">
            Your KYC
          </Anchor>
        </Text>
        <Group gap="sm">
          <Button component={Link} to="/gateway/provider/servers">
            Your servers
          </Button>
          <Button component={Link} to="/gateway/provider/earnings" variant="default">
            Your earnings
          </Button>
        </Group>
      </SectionCard>
      <SectionCard title="Profile">
        <ProviderForm key={provider.updated_at} provider={provider} onSaved={onSaved} />
      </SectionCard>
    </Stack>
  );
}

/** /gateway/provider: become a provider, or the provider's profile and where they stand. */
export function ProviderPage() {
  const provider = useOwnProvider();
  return (
    <ProviderFrame
      title="Provider portal"
      description="Offer your MCP servers through Tally: price their tools, and be paid daily for the calls they serve."
    >
      <ResourceView resource={provider} loadingLabel="Loading your provider profile…">
        {(data) =>
          data ? (
            <ProviderProfile provider={data} onSaved={provider.replace} />
          ) : (
            <SectionCard
              title="Become a provider"
              description="One provider per person: a name people see your servers under, and the wallet your earnings are paid to. You can register servers right away; claiming earnings needs approved KYC."
            >
              <ProviderForm provider={null} onSaved={provider.replace} />
            </SectionCard>
          )
        }
      </ResourceView>
    </ProviderFrame>
  );
}

/** What a page that needs a provider shows to someone who is not one yet. */
export function NotAProvider() {
  return (
    <SectionCard title="You are not a provider yet">
      <Text size="sm">
        Providers register MCP servers and are paid for the calls they serve.{' '}
        <Anchor component={Link} to="/gateway/provider">
          Become a provider
        </Anchor>{' '}
        first: it takes a name and a payout address.
      </Text>
    </SectionCard>
  );
}
