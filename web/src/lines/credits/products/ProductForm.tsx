import {
  Button,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { type ReactNode, useState } from 'react';
import type { CreditsActionPrice, CreditsProduct, CreditsProductType } from '../../../api/types';
import { AmountInput } from '../../../components/AmountInput';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { checkAmount, editableAmount } from '../../../lib/amounts';
import { checkRequired } from '../../../lib/validators';
import { showCreditsErrors } from '../errors';
import {
  CREDITS_RULES,
  checkCredits,
  checkCurrency,
  currencyScale,
  displayPriceRules,
  parseCredits,
  parsePrice,
  productTypeLabels,
  refillCycleLabels,
  savedCredits,
} from '../format';

export interface ProductFields {
  type?: CreditsProductType;
  name: string;
  description: string;
  credits_per_cycle: string;
  refill_cycle: CreditsProduct['refill_cycle'];
  rollover_credits: string;
  permissions: string[];
  display_price: { amount_minor: string; currency: string };
  active: boolean;
}

interface Values {
  type: string;
  name: string;
  description: string;
  credits_per_cycle: string;
  refill_cycle: string;
  rollover_credits: string;
  permissions: string[];
  price: string;
  currency: string;
  active: boolean;
}

function initialValues(product: CreditsProduct | undefined, types: CreditsProductType[]): Values {
  if (!product) {
    return {
      type: types[0] ?? 'generic',
      name: '',
      description: '',
      credits_per_cycle: '',
      refill_cycle: 'month',
      rollover_credits: '0',
      permissions: [],
      price: '',
      currency: 'USD',
      active: true,
    };
  }
  const { amount_minor, currency } = product.display_price;
  return {
    type: product.type,
    name: product.name,
    description: product.description,
    credits_per_cycle: product.credits_per_cycle,
    refill_cycle: product.refill_cycle,
    rollover_credits: product.rollover_credits,
    permissions: product.permissions,
    price: editableAmount(amount_minor, currencyScale(currency)),
    currency,
    active: product.active,
  };
}

/**
 * A product's fields, for a new product or a change. `types` are the types the person may make
 * (administrators: generic and whitelabel; resellers make under-whitelabel ones, so none to choose);
 * `actions` the actions they may put in it; `maxCredits` what a reseller has available for it.
 */
export function ProductForm({
  product,
  types,
  actions,
  maxCredits,
  creditsHint,
  submitLabel,
  onSubmit,
}: {
  product?: CreditsProduct;
  types: CreditsProductType[];
  actions: CreditsActionPrice[];
  maxCredits?: string;
  creditsHint?: ReactNode;
  submitLabel: string;
  onSubmit: (fields: ProductFields) => Promise<void>;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: initialValues(product, types),
    validateInputOnChange: true,
    validate: {
      name: checkRequired('a name for the product'),
      // A reseller's limit applies to a new product and to a raise, not to keeping what a product has.
      credits_per_cycle: (value) => {
        const credits = parseCredits(value);
        const kept = product && credits !== null && BigInt(credits) <= BigInt(product.credits_per_cycle);
        return checkCredits({ max: kept ? undefined : maxCredits })(value);
      },
      rollover_credits: (value, values) => {
        const rollover = parseCredits(value);
        if (rollover === null) return 'Enter a whole number of credits, 0 for none';
        const perCycle = parseCredits(values.credits_per_cycle);
        return perCycle !== null && BigInt(rollover) > BigInt(perCycle)
          ? 'At most the credits per cycle'
          : null;
      },
      currency: checkCurrency,
      price: (value, values) => checkAmount(displayPriceRules(values.currency))(value),
    },
  });
  // A price's decimals and most depend on its currency: check it again when the currency changes.
  form.watch('currency', () => {
    if (form.isTouched('price')) form.validateField('price');
  });

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    try {
      await onSubmit({
        ...(product || types.length === 0 ? {} : { type: values.type as CreditsProductType }),
        name: values.name.trim(),
        description: values.description.trim(),
        credits_per_cycle: parseCredits(values.credits_per_cycle)!,
        refill_cycle: values.refill_cycle as CreditsProduct['refill_cycle'],
        rollover_credits: parseCredits(values.rollover_credits)!,
        permissions: values.permissions,
        display_price: {
          amount_minor: parsePrice(values.price, values.currency)!,
          currency: values.currency,
        },
        active: values.active,
      });
      if (!product) form.reset();
    } catch (error) {
      setFormError(showCreditsErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={product ? `Change ${product.name}` : 'Create a product'}
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {!product && types.length > 1 && (
            <Select
              label="Type"
              required
              allowDeselect={false}
              data={types.map((type) => ({ value: type, label: productTypeLabels[type] }))}
              description="Whitelabel products make their buyers resellers."
              {...form.getInputProps('type')}
            />
          )}
          <TextInput label="Name" required {...form.getInputProps('name')} />
        </SimpleGrid>
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxRows={6}
          {...form.getInputProps('description')}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <AmountInput
            label="Credits per cycle"
            required
            rules={CREDITS_RULES}
            preview={savedCredits}
            description={creditsHint}
            {...form.getInputProps('credits_per_cycle')}
          />
          <Select
            label="Refill cycle"
            required
            allowDeselect={false}
            data={Object.entries(refillCycleLabels).map(([value, label]) => ({ value, label }))}
            {...form.getInputProps('refill_cycle')}
          />
          <AmountInput
            label="Rollover credits"
            description="Unused credits kept into the next cycle."
            rules={CREDITS_RULES}
            preview={savedCredits}
            {...form.getInputProps('rollover_credits')}
          />
        </SimpleGrid>
        <MultiSelect
          label="Actions it allows"
          description="What its holders may spend credits on."
          placeholder={actions.length === 0 ? 'No action you may grant' : 'Choose actions'}
          data={actions.map((action) => ({
            value: action.action,
            label: `${action.label} (${action.action})`,
          }))}
          searchable
          clearable
          {...form.getInputProps('permissions')}
        />
        <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md">
          <AmountInput
            label="Display price"
            required
            description="Shown to buyers; they pay on the sales platform."
            rules={displayPriceRules(form.values.currency)}
            {...form.getInputProps('price')}
          />
          <TextInput
            label="Currency"
            maxLength={3}
            {...form.getInputProps('currency')}
            onChange={(event) => form.setFieldValue('currency', event.currentTarget.value.toUpperCase())}
          />
        </SimpleGrid>
        <Switch
          label="On sale"
          description="Purchases of an inactive product are refused; holders keep what they have."
          {...form.getInputProps('active', { type: 'checkbox' })}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
