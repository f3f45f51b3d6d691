import { Button, Group, Radio, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopAllocationRule } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useResource } from '../../../hooks/useResource';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import { ClubBankAccountSection, setsClubAccount } from '../books/BankAccount';
import { DirectDebitSettingsSection } from '../books/DirectDebits';
import { allocationRuleLabels, COOP } from '../format';
import { ClubFrame, useClub, useCoopRefresh } from './ClubLayout';

/** How the club shares a product that ran short among the households that ordered it. */
function OrderRulesForm({ clubId, current }: { clubId: string; current: CoopAllocationRule }) {
  const refresh = useCoopRefresh();
  const [rule, setRule] = useState<CoopAllocationRule>(current);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await call(
        api.PUT('/api/coop/clubs/{id}/order-settings', {
          params: { path: { id: clubId } },
          body: { allocation_rule: rule },
        }),
      );
      await refresh();
      notifications.show({
        color: 'teal',
        message: `From the next order that closes, what runs short is shared ${allocationRuleLabels[saved.allocation_rule].label.toLowerCase()}.`,
      });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void save(event)} noValidate aria-label="Order rules">
      <Stack gap="md" maw={640}>
        <Radio.Group
          label="When a product runs short"
          description="A producer may have less than the households ordered. The rule applies when an order closes."
          value={rule}
          onChange={(value) => setRule(value as CoopAllocationRule)}
        >
          <Stack gap="sm" mt="xs">
            {(Object.keys(allocationRuleLabels) as CoopAllocationRule[]).map((value) => (
              <Radio
                key={value}
                value={value}
                label={`${allocationRuleLabels[value].label}${value === 'pro_rata' ? ' (the default)' : ''}`}
                description={allocationRuleLabels[value].explanation}
              />
            ))}
          </Stack>
        </Radio.Group>
        <FormErrorAlert message={error} />
        <Group>
          <Button type="submit" loading={busy} disabled={rule === current}>
            Save the rule
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OrderRules({ clubId }: { clubId: string }) {
  const settings = useResource(`coop-order-settings:${clubId}`, () =>
    call(api.GET('/api/coop/clubs/{id}/order-settings', { params: { path: { id: clubId } } })),
  );
  return (
    <SectionCard
      title="Order rules"
      description="How a product that ran short is shared among the households."
    >
      <ResourceView resource={settings} loadingLabel="Loading the order rules…">
        {(data) => (
          <OrderRulesForm key={data.allocation_rule} clubId={clubId} current={data.allocation_rule} />
        )}
      </ResourceView>
    </SectionCard>
  );
}

/**
 * /coop/clubs/:clubId/settings: the club's name and how households admit people (its Admin), its bank
 * account (the bookkeeper and the Admin), and how orders share what ran short (order managers and the
 * Admin).
 */
export function SettingsPage() {
  const { club, can } = useClub();
  const refresh = useCoopRefresh();
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { name: club.name, join_code_required: club.join_code_required },
    validateInputOnChange: true,
    validate: { name: checkRequired('a name for the club') },
  });
  const setsOrders = can(COOP.orders) || can(COOP.producers);
  const setsAccount = setsClubAccount(can);
  if (!can(COOP.settings) && !setsOrders && !setsAccount) {
    return (
      <ClubFrame title="Settings">
        <FormErrorAlert message="Only the club’s Admin changes its settings." />
      </ClubFrame>
    );
  }
  if (!can(COOP.settings)) {
    const parts = [
      setsAccount ? 'where households pay' : null,
      setsOrders ? 'how orders share what ran short' : null,
    ].filter(Boolean);
    return (
      <ClubFrame title="Settings" description={`The club’s settings you keep: ${parts.join(' and ')}.`}>
        <Stack gap="lg">
          <Text size="sm" c="dimmed">
            The club’s name and how households admit people are the Admin’s to change.
          </Text>
          {setsAccount && <ClubBankAccountSection />}
          {setsOrders && <OrderRules clubId={club.id} />}
        </Stack>
      </ClubFrame>
    );
  }
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await call(
        api.PATCH('/api/coop/clubs/{id}', {
          params: { path: { id: club.id } },
          body: { name: values.name.trim(), join_code_required: values.join_code_required },
        }),
      );
      form.setValues({ name: saved.name, join_code_required: saved.join_code_required });
      form.resetDirty({ name: saved.name, join_code_required: saved.join_code_required });
      await refresh();
      notifications.show({ color: 'teal', message: 'The club’s settings are saved.' });
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <ClubFrame
      title="Settings"
      description="The club’s name, how households let people in, where they pay, and how orders share what ran short."
    >
      <Stack gap="lg">
        <SectionCard title="The club">
          <form ref={formRef} onSubmit={submit} noValidate aria-label="Club settings">
            <Stack gap="md" maw={560}>
              <TextInput label="Name of the club" required {...form.getInputProps('name')} />
              <Switch
                label="Households admit people with a code"
                description="On: a person asking to join a household sees a four-digit code, which they tell a member of it in person or on the phone; the member types it to let them in. Nobody joins under a neighbour’s name. Off: a member lets people in on their name, address and message alone."
                {...form.getInputProps('join_code_required', { type: 'checkbox' })}
              />
              <FormErrorAlert message={formError} />
              <Group>
                <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
                  Save settings
                </Button>
              </Group>
            </Stack>
          </form>
        </SectionCard>
        {setsAccount && <ClubBankAccountSection />}
        <DirectDebitSettingsSection />
        {setsOrders && <OrderRules clubId={club.id} />}
      </Stack>
    </ClubFrame>
  );
}
