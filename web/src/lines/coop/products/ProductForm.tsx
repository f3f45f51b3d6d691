import {
  Button,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { CoopProduct, CoopProductInput, CoopProductUnit } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useFormDraft } from '../../../hooks/useFormDraft';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkRequired } from '../../../lib/validators';
import {
  basisPointsOf,
  centsOf,
  checkDecimal,
  decimalInput,
  editableEuros,
  editablePercent,
  formatEuros,
  memberPricePreview,
  perUnit,
  trimDecimal,
  unitLabels,
} from '../format';

interface Values {
  name: string;
  code: string;
  description: string;
  categories: string[];
  unit: CoopProductUnit;
  amount_per_package: string;
  packages: number | string;
  estimate: boolean;
  maximum_available: number | string;
  price: string;
  vat_percent: string;
  margin_percent: string;
  origin: string;
  ingredients: string;
}

function initialValues(product: CoopProduct | undefined): Values {
  return {
    name: product?.name ?? '',
    code: product?.code ?? '',
    description: product?.description ?? '',
    categories: product?.categories ?? [],
    unit: product?.unit ?? 'piece',
    amount_per_package: product ? trimDecimal(product.amount_per_package) : '1',
    packages: product?.packages ?? 1,
    estimate: product?.estimate ?? false,
    maximum_available: product?.maximum_available ?? '',
    price: product ? editableEuros(product.price_cents) : '',
    vat_percent: product ? editablePercent(product.vat_basis_points) : '7',
    margin_percent: product?.margin_basis_points != null ? editablePercent(product.margin_basis_points) : '',
    origin: product?.origin ?? '',
    ingredients: product?.ingredients ?? '',
  };
}

const unitOptions = (Object.keys(unitLabels) as CoopProductUnit[]).map((unit) => ({
  value: unit,
  label: unit === 'piece' ? 'piece' : `${unitLabels[unit]} (sold by ${unitLabels[unit]})`,
}));

/** The API's field names in this form, and the form's names for them, to place its refusals. */
const wholeNumber = (what: string, min: number, required: boolean) => (value: number | string) => {
  if (value === '' || value === undefined) return required ? `Enter ${what}` : null;
  return Number.isInteger(Number(value)) && Number(value) >= min
    ? null
    : `Enter a whole number, ${min} or more`;
};

/**
 * A product's fields, for a new product or a change (a new version). Prices and rates are typed with
 * either decimal separator and sent as exact decimal text; what a member will pay is shown as it is
 * typed, by the club's rule.
 */
export function ProductForm({
  product,
  categories,
  submitLabel,
  onSubmit,
}: {
  product?: CoopProduct;
  /** The club's categories, offered as the person types. */
  categories: string[];
  submitLabel: string;
  onSubmit: (fields: CoopProductInput) => Promise<void>;
}) {
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: initialValues(product),
    validateInputOnChange: true,
    validate: {
      name: checkRequired('the product’s name'),
      code: checkRequired('the producer’s reference for it', 60),
      amount_per_package: (value) => {
        const problem = checkDecimal('how much one package holds', 3, { example: '0.5' })(value);
        if (problem) return problem;
        return /^0*(\.0*)?$/.test(decimalInput(value, 3) ?? '') ? 'A package holds more than nothing' : null;
      },
      packages: wholeNumber('how many packages an item is', 1, true),
      maximum_available: wholeNumber('a number', 0, false),
      price: checkDecimal('the producer’s price', 2, { example: '2.99' }),
      vat_percent: (value) => {
        const problem = checkDecimal('the VAT rate', 2, { example: '7' })(value);
        if (problem) return problem;
        return (basisPointsOf(value) ?? 0n) > 10_000n ? 'VAT is at most 100 %' : null;
      },
      margin_percent: (value) => {
        const problem = checkDecimal('the margin', 2, { required: false, example: '5' })(value);
        if (problem) return problem;
        return (basisPointsOf(value) ?? 0n) > 100_000n ? 'The margin is at most 1000 %' : null;
      },
    },
  });
  useFormDraft(form, product ? `product:${product.id}` : 'add-product');

  const { values } = form;
  const price = centsOf(values.price);
  const vat = basisPointsOf(values.vat_percent);
  const margin = values.margin_percent.trim() ? basisPointsOf(values.margin_percent) : 0n;
  const preview =
    price !== null && vat !== null && margin !== null ? memberPricePreview(price, margin, vat) : null;

  const submit = form.onSubmit(async (typed) => {
    setFormError(null);
    try {
      await onSubmit({
        name: typed.name.trim(),
        code: typed.code.trim(),
        description: typed.description.trim(),
        categories: typed.categories.map((c) => c.trim()).filter(Boolean),
        unit: typed.unit,
        amount_per_package: decimalInput(typed.amount_per_package, 3)!,
        packages: Number(typed.packages),
        estimate: typed.estimate,
        maximum_available: typed.maximum_available === '' ? null : Number(typed.maximum_available),
        price: decimalInput(typed.price, 2)!,
        vat_percent: decimalInput(typed.vat_percent, 2)!,
        margin_percent: typed.margin_percent.trim() ? decimalInput(typed.margin_percent, 2) : null,
        origin: typed.origin.trim() || null,
        ingredients: typed.ingredients.trim() || null,
      });
      if (!product) form.reset();
      else form.resetDirty();
    } catch (error) {
      setFormError(problemOf(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={product ? `Change ${product.name}` : 'Add a product'}
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput label="Name" required {...form.getInputProps('name')} />
          <TextInput
            label="Reference"
            description="The producer’s own code for it; a CSV import finds the product by it."
            required
            {...form.getInputProps('code')}
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxRows={6}
          {...form.getInputProps('description')}
        />
        <TagsInput
          label="Categories"
          description="Press Enter after each; members browse the products by them."
          data={categories}
          clearable
          {...form.getInputProps('categories')}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <Select
            label="Unit"
            description="What the price is for."
            required
            allowDeselect={false}
            data={unitOptions}
            {...form.getInputProps('unit')}
          />
          <TextInput
            label="Amount per package"
            description={`In ${unitLabels[values.unit]}: 0.5 for half a kg.`}
            inputMode="decimal"
            required
            {...form.getInputProps('amount_per_package')}
          />
          <NumberInput
            label="Packages per item"
            description="6 for a box of six."
            min={1}
            allowDecimal={false}
            required
            {...form.getInputProps('packages')}
          />
        </SimpleGrid>
        <Switch
          label="Sold by weight"
          description="What a household orders is an estimate; its bill follows what is weighed at delivery."
          {...form.getInputProps('estimate', { type: 'checkbox' })}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <TextInput
            label="Producer’s price"
            description={`In euros ${perUnit(values.unit)}, before margin and VAT: 2.99 or 2,99.`}
            inputMode="decimal"
            required
            rightSection={
              <Text size="sm" c="dimmed" aria-hidden>
                EUR
              </Text>
            }
            rightSectionWidth="3.5rem"
            rightSectionPointerEvents="none"
            {...form.getInputProps('price')}
          />
          <TextInput
            label="VAT (%)"
            description="7, or 2.5."
            inputMode="decimal"
            required
            {...form.getInputProps('vat_percent')}
          />
          <TextInput
            label="Club margin (%)"
            description="Empty for none."
            inputMode="decimal"
            {...form.getInputProps('margin_percent')}
          />
        </SimpleGrid>
        <Text size="sm" role="status" data-testid="member-price-preview">
          {preview === null ? (
            'A member’s price shows here once the price and rates are filled in.'
          ) : (
            <>
              A member will pay{' '}
              <Text span fw={700}>
                {formatEuros(preview)}
              </Text>{' '}
              {perUnit(values.unit)}, VAT included.
            </>
          )}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <NumberInput
            label="Most available"
            description="Items the producer can deliver per order; empty for no limit."
            min={0}
            allowDecimal={false}
            {...form.getInputProps('maximum_available')}
          />
          <TextInput label="Origin" description="Where it comes from." {...form.getInputProps('origin')} />
        </SimpleGrid>
        <Textarea
          label="Ingredients"
          autosize
          minRows={1}
          maxRows={6}
          {...form.getInputProps('ingredients')}
        />
        <FormErrorAlert message={formError} />
        <Group>
          <Button type="submit" loading={form.submitting} disabled={product !== undefined && !form.isDirty()}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
