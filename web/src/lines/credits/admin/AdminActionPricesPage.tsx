import { Badge, Button, Code, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsActionPrice } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import { type Column, DataTable } from '../../../components/DataTable';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { formatToTheSecond } from '../../../lib/dates';
import { showServerErrors } from '../../../lib/serverErrors';
import { csvAmount, csvTime } from '../../../lib/table';
import { useCredits } from '../CreditsLayout';
import { CREDITS_RULES, checkCredits, formatCredits, parseCredits, savedCredits } from '../format';
import { AdminFrame } from './AdminFrame';

const ACTION_KEY = /^[a-z][a-z0-9_.:-]{0,63}$/;

function PriceForm({
  prices,
  form,
  onSaved,
}: {
  prices: CreditsActionPrice[];
  form: ReturnType<typeof usePriceForm>;
  onSaved: () => Promise<void>;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const existing = prices.find((price) => price.action === form.values.action.trim());
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await call(
        api.PUT('/api/credits/action-prices/{action}', {
          params: { path: { action: values.action.trim() } },
          body: {
            price: parseCredits(values.price)!,
            ...(values.label.trim() ? { label: values.label.trim() } : {}),
          },
        }),
      );
      notifications.show({
        color: 'teal',
        message: `${saved.label} now costs ${formatCredits(saved.price)}.`,
      });
      form.reset();
      await onSaved();
    } catch (error) {
      setFormError(showServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Set an action's price">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <TextInput
            label="Action"
            description="A key such as generate_image; a new key adds an action."
            required
            {...form.getInputProps('action')}
          />
          <TextInput
            label="Label"
            description={
              existing
                ? 'Leave empty to keep the current label.'
                : 'What people read, such as Generate an image.'
            }
            required={!existing}
            {...form.getInputProps('label')}
          />
          <AmountInput
            label="Price in credits"
            description="0 makes the action free."
            required
            rules={CREDITS_RULES}
            preview={savedCredits}
            {...form.getInputProps('price')}
          />
        </SimpleGrid>
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            {existing ? 'Change price' : 'Add action'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function usePriceForm(prices: CreditsActionPrice[] | null | undefined) {
  // The form keeps its first validators; the prices load later, so they are read through a ref.
  const known = useRef(prices);
  known.current = prices;
  return useForm({
    mode: 'controlled',
    initialValues: { action: '', label: '', price: '' },
    validateInputOnChange: true,
    validate: {
      action: (value) =>
        ACTION_KEY.test(value.trim())
          ? null
          : 'Lower-case letters, digits and _ . : -, starting with a letter',
      label: (value, values) =>
        !value.trim() && !known.current?.some((price) => price.action === values.action.trim())
          ? 'Enter a label for the new action'
          : null,
      price: checkCredits({ allowZero: true }),
    },
  });
}

function PricesTable({
  prices,
  onChange,
}: {
  prices: CreditsActionPrice[];
  onChange: (price: CreditsActionPrice) => void;
}) {
  const kind = (price: CreditsActionPrice) => (price.built_in ? 'built in' : 'host application');
  const columns: Column<CreditsActionPrice>[] = [
    {
      id: 'action',
      header: 'Action',
      cardTitle: true,
      cell: (price) => (
        <>
          <Text size="sm" fw={500}>
            {price.label}
          </Text>
          <Code>{price.action}</Code>
        </>
      ),
      sortValue: (price) => price.label,
      csv: (price) => `${price.label} (${price.action})`,
    },
    {
      id: 'price',
      header: 'Price',
      align: 'right',
      nowrap: true,
      cell: (price) => formatCredits(price.price),
      sortValue: (price) => BigInt(price.price),
      csv: (price) => csvAmount(price.price, 0, 'credits'),
    },
    {
      id: 'kind',
      header: 'Kind',
      nowrap: true,
      cell: (price) => (
        <Badge variant="light" color={price.built_in ? 'gray' : 'blue'} style={{ overflow: 'visible' }}>
          {kind(price)}
        </Badge>
      ),
      sortValue: kind,
      csv: kind,
    },
    {
      id: 'changed',
      header: 'Changed',
      nowrap: true,
      cell: (price) => formatToTheSecond(price.updated_at),
      sortValue: (price) => new Date(price.updated_at),
      csv: (price) => csvTime(price.updated_at),
    },
    {
      id: 'change',
      header: 'Change',
      align: 'right',
      cell: (price) => (
        <Button
          size="xs"
          variant="default"
          onClick={() => onChange(price)}
          aria-label={`Change the price of ${price.label}`}
        >
          Change
        </Button>
      ),
    },
  ];
  return (
    <DataTable
      label="Action prices"
      rows={prices}
      columns={columns}
      rowKey={(price) => price.action}
      searchLabel="Search actions"
      exportName="action-prices"
      minWidth={640}
    />
  );
}

/** /credits/admin/action-prices: what every action costs, Tally's own and the host application's. */
export function AdminActionPricesPage() {
  const { prices } = useCredits();
  const form = usePriceForm(prices.data);
  const formRef = useRef<HTMLDivElement>(null);
  const edit = (price: CreditsActionPrice) => {
    form.setValues({ action: price.action, label: '', price: price.price });
    formRef.current?.querySelector<HTMLInputElement>('input[inputmode="numeric"]')?.focus();
  };
  return (
    <AdminFrame
      title="Action prices"
      description="Every action costs credits. Tally's own actions are built in; add the host application's actions to charge them through the API."
    >
      <Stack gap="lg">
        <SectionCard title="Prices">
          <ResourceView resource={prices} loadingLabel="Loading the prices…">
            {(items) => <PricesTable prices={items ?? []} onChange={edit} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Set a price"
          description="A new price applies to the next charge; what was already charged or reserved stays."
        >
          <div ref={formRef}>
            <PriceForm prices={prices.data ?? []} form={form} onSaved={prices.reload} />
          </div>
        </SectionCard>
      </Stack>
    </AdminFrame>
  );
}
