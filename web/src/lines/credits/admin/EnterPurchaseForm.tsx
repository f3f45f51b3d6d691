import { Alert, Button, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsProduct } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { showServerErrors } from '../../../lib/serverErrors';
import { checkEmail, checkRequired } from '../../../lib/validators';
import { formatCredits, formatDisplayPrice, productTypeLabels } from '../format';

/**
 * Enters a purchase made elsewhere (an invoice, a sale by phone): as a webhook would, it registers the
 * person if needed and mails their login details. The order reference makes entering it twice harmless.
 */
export function EnterPurchaseForm({
  products,
  onEntered,
}: {
  products: CreditsProduct[];
  onEntered: () => void;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', product_id: '', order_reference: '', name: '', note: '' },
    validateInputOnChange: true,
    validate: {
      email: checkEmail,
      product_id: (value) => (value ? null : 'Choose the product bought'),
      order_reference: checkRequired('the order reference', 200),
    },
  });
  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    setOutcome(null);
    try {
      const { purchase, created } = await call(
        api.POST('/api/credits/purchases', {
          body: {
            email: values.email.trim(),
            product_id: values.product_id,
            order_reference: values.order_reference.trim(),
            ...(values.name.trim() ? { name: values.name.trim() } : {}),
            ...(values.note.trim() ? { note: values.note.trim() } : {}),
          },
        }),
      );
      setOutcome(
        !created
          ? `Order ${purchase.order_id} was entered before; nothing changed.`
          : purchase.registered
            ? `Purchase entered: ${purchase.email} is registered and their login details are mailed.`
            : `Purchase entered: the credits are added to ${purchase.email}'s account.`,
      );
      form.reset();
      onEntered();
    } catch (error) {
      setFormError(showServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Enter a purchase">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput label="Buyer's email" type="email" required {...form.getInputProps('email')} />
          <Select
            label="Product"
            required
            searchable
            placeholder={products.length === 0 ? 'No product on sale' : 'Choose a product'}
            data={products.map((product) => ({
              value: product.id,
              label: `${product.name} — ${productTypeLabels[product.type]}, ${formatCredits(product.credits_per_cycle)}, ${formatDisplayPrice(product.display_price)}`,
            }))}
            {...form.getInputProps('product_id')}
          />
          <TextInput
            label="Order reference"
            description="The sale's number on the platform or invoice; entering it again changes nothing."
            required
            {...form.getInputProps('order_reference')}
          />
          <TextInput label="Buyer's name" description="Optional." {...form.getInputProps('name')} />
        </SimpleGrid>
        <TextInput label="Note" description="Optional, kept for support." {...form.getInputProps('note')} />
        <FormErrorAlert message={formError} />
        {outcome && (
          <Alert color="teal" variant="light" role="status">
            {outcome}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={form.submitting}>
            Enter purchase
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
