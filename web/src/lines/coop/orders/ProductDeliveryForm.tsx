import { Alert, Button, Group, NumberInput, Radio, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { type ApiError, asApiError } from '../../../api/errors';
import type {
  CoopDeliveryInput,
  CoopDeliveryOutcome,
  CoopOrderDetail,
  CoopOrderProduct,
  CoopProductUnit,
} from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { checkDecimal, decimalInput, editableEuros, formatEuros, trimDecimal, unitLabels } from '../format';
import { outcomeLabels } from './status';

type Household = CoopOrderProduct['households'][number];

interface Amounts {
  /** Items delivered, for goods sold by the piece. */
  items: string;
  /** Each item's weight, for goods sold by weight. */
  weights: string[];
}

const initialAmounts = (h: Household): Amounts => ({
  items: String(h.delivered_items ?? h.allotted ?? 0),
  weights: h.weights?.map(trimDecimal) ?? Array.from({ length: h.allotted ?? 0 }, () => ''),
});

const checkWeight = checkDecimal('the weight', 3, { example: '1.25' });

/** A refusal of weights far from the estimate: which household, and what the server said. */
interface Implausible {
  householdId: string;
  message: string;
}

function implausibleOf(error: ApiError): Implausible | null {
  if (error.code !== 'implausible_weight') return null;
  const details = error.details as { household_id?: unknown } | undefined;
  return typeof details?.household_id === 'string'
    ? { householdId: details.household_id, message: error.message }
    : null;
}

/**
 * What the delivery check found for one product: delivered (as allotted, or the items or each item's
 * weight per household), not available, or missing with a comment; and the producer's price, if it
 * changed. Weights far from the estimate are refused until the checker says they are right.
 */
export function ProductDeliveryForm({
  order,
  product,
  producerPriceCents,
  editable,
  onSaved,
}: {
  order: CoopOrderDetail;
  product: CoopOrderProduct;
  /** The producer's price per unit as the catalogue has it, when known. */
  producerPriceCents: string | null;
  editable: boolean;
  onSaved: (order: CoopOrderDetail) => Promise<void>;
}) {
  const [outcome, setOutcome] = useState<CoopDeliveryOutcome>(
    product.outcome === 'pending' ? 'delivered' : product.outcome,
  );
  const [comment, setComment] = useState(product.comment);
  const [price, setPrice] = useState(
    product.changed_price_cents === null ? '' : editableEuros(product.changed_price_cents),
  );
  const [amounts, setAmounts] = useState<Record<string, Amounts>>(() =>
    Object.fromEntries(product.households.map((h) => [h.household_id, initialAmounts(h)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [implausible, setImplausible] = useState<Implausible | null>(null);
  const [busy, setBusy] = useState(false);
  const unitName = unitLabels[product.unit as CoopProductUnit] ?? product.unit;
  const readOnly = !editable;

  const setAmount = (householdId: string, change: (current: Amounts) => Amounts) => {
    setImplausible(null);
    setAmounts((current) => ({ ...current, [householdId]: change(current[householdId]!) }));
  };

  /** The request, or the field errors that keep it from being sent. */
  function request(
    confirmImplausible: boolean,
  ): { body: CoopDeliveryInput } | { errors: Record<string, string> } {
    const found: Record<string, string> = {};
    if (outcome === 'missing' && !comment.trim())
      found.comment = 'Say what went wrong: a missing product needs a comment';
    const priceError = checkDecimal('the new price', 2, { required: false, example: '2.40' })(price);
    if (priceError) found.price = priceError;
    const households: NonNullable<CoopDeliveryInput['households']> = [];
    if (outcome === 'delivered') {
      for (const h of product.households) {
        const amount = amounts[h.household_id]!;
        if (product.estimate) {
          const filled = amount.weights.filter((w) => w.trim());
          if (filled.length === 0) continue;
          const bad = amount.weights.map(checkWeight).find(Boolean);
          if (bad || filled.length !== amount.weights.length) {
            found[h.household_id] =
              bad ?? 'Enter the weight of each item, or take out the items that did not come';
            continue;
          }
          households.push({
            household_id: h.household_id,
            weights: amount.weights.map((w) => decimalInput(w, 3)!),
          });
        } else {
          const items = Number(amount.items);
          if (!/^\d+$/.test(amount.items.trim()) || !Number.isInteger(items)) {
            found[h.household_id] = 'Enter a whole number of items';
            continue;
          }
          households.push({ household_id: h.household_id, items });
        }
      }
    }
    if (Object.keys(found).length > 0) return { errors: found };
    const typedPrice = price.trim() ? decimalInput(price, 2) : null;
    const body: CoopDeliveryInput = {
      outcome,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
      // An empty price takes back a change made before; otherwise the producer's price stands.
      ...(typedPrice !== null
        ? { price: typedPrice }
        : product.changed_price_cents !== null
          ? { price: null }
          : {}),
      ...(households.length > 0 ? { households } : {}),
      confirm_implausible: confirmImplausible,
    };
    return { body };
  }

  const save = async (confirmImplausible: boolean) => {
    const checked = request(confirmImplausible);
    if ('errors' in checked) {
      setErrors(checked.errors);
      return;
    }
    const { body } = checked;
    setErrors({});
    setFormError(null);
    setBusy(true);
    try {
      const saved = await call(
        api.PUT('/api/coop/orders/{id}/products/{productId}/delivery', {
          params: { path: { id: order.id, productId: product.product_id } },
          body,
        }),
      );
      setImplausible(null);
      await onSaved(saved);
      notifications.show({
        color: 'teal',
        message: `${product.name}: ${outcomeLabels[outcome].toLowerCase()}, saved.`,
      });
    } catch (thrown) {
      const error = asApiError(thrown);
      const weights = implausibleOf(error);
      if (weights) {
        setImplausible(weights);
      } else {
        const fields = error.fieldErrors;
        const placed = Object.fromEntries(
          Object.entries(fields).filter(([field]) => ['comment', 'price'].includes(field)),
        );
        setErrors(placed);
        if (Object.keys(placed).length === 0) setFormError(error.message);
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(false);
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Delivery of ${product.name}`}>
      <Stack gap="md">
        <Radio.Group
          label="What came"
          value={outcome}
          onChange={(value) => {
            setOutcome(value as CoopDeliveryOutcome);
            setImplausible(null);
          }}
        >
          <Group gap="lg" mt={6}>
            {(['delivered', 'not_available', 'missing'] as const).map((value) => (
              <Radio key={value} value={value} label={outcomeLabels[value]} disabled={readOnly} />
            ))}
          </Group>
        </Radio.Group>
        <Group gap="md" align="flex-start" wrap="wrap">
          <TextInput
            label="Comment"
            description={outcome === 'missing' ? 'Required: what went wrong.' : 'For the households’ bills.'}
            required={outcome === 'missing'}
            value={comment}
            onChange={(event) => setComment(event.currentTarget.value)}
            error={errors.comment}
            maxLength={1000}
            readOnly={readOnly}
            style={{ flex: '1 1 18rem' }}
          />
          <TextInput
            label={`New producer’s price per ${unitName}`}
            description={
              producerPriceCents
                ? `Only if it changed: it was ${formatEuros(producerPriceCents)} per ${unitName}. Leave empty for no change.`
                : 'Only if it changed; leave empty for no change.'
            }
            inputMode="decimal"
            rightSection={
              <Text size="sm" c="dimmed" aria-hidden>
                €
              </Text>
            }
            value={price}
            onChange={(event) => setPrice(event.currentTarget.value)}
            error={errors.price}
            readOnly={readOnly}
            w={280}
          />
        </Group>
        {outcome === 'delivered' && product.households.length > 0 && (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label={`${product.name} per household`} fz="sm" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Household</Table.Th>
                  <Table.Th ta="right">Ordered</Table.Th>
                  <Table.Th ta="right">Allotted</Table.Th>
                  <Table.Th>
                    {product.estimate ? `Weight of each item (${unitName})` : 'Items delivered'}
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {product.households.map((h) => {
                  const amount = amounts[h.household_id]!;
                  const error = errors[h.household_id];
                  const flagged = implausible?.householdId === h.household_id;
                  return (
                    <Table.Tr key={h.household_id}>
                      <Table.Td>{h.name}</Table.Td>
                      <Table.Td ta="right">{h.ordered}</Table.Td>
                      <Table.Td ta="right">{h.allotted ?? '—'}</Table.Td>
                      <Table.Td>
                        <Stack gap={6}>
                          {product.estimate ? (
                            <Group gap="xs" wrap="wrap" align="flex-end">
                              {amount.weights.map((weight, at) => (
                                <TextInput
                                  // biome-ignore lint/suspicious/noArrayIndexKey: the items of a household are numbered, not named
                                  key={at}
                                  aria-label={`Weight of item ${at + 1} for ${h.name}`}
                                  inputMode="decimal"
                                  value={weight}
                                  onChange={(event) => {
                                    const typed = event.currentTarget.value;
                                    setAmount(h.household_id, (a) => ({
                                      ...a,
                                      weights: a.weights.map((w, i) => (i === at ? typed : w)),
                                    }));
                                  }}
                                  error={Boolean(error) || flagged}
                                  readOnly={readOnly}
                                  w={100}
                                />
                              ))}
                              {!readOnly && (
                                <Group gap={4}>
                                  <Button
                                    size="compact-sm"
                                    variant="subtle"
                                    aria-label={`One more item for ${h.name}`}
                                    onClick={() =>
                                      setAmount(h.household_id, (a) => ({
                                        ...a,
                                        weights: [...a.weights, ''],
                                      }))
                                    }
                                  >
                                    + item
                                  </Button>
                                  {amount.weights.length > 0 && (
                                    <Button
                                      size="compact-sm"
                                      variant="subtle"
                                      color="gray"
                                      aria-label={`One item less for ${h.name}`}
                                      onClick={() =>
                                        setAmount(h.household_id, (a) => ({
                                          ...a,
                                          weights: a.weights.slice(0, -1),
                                        }))
                                      }
                                    >
                                      − item
                                    </Button>
                                  )}
                                </Group>
                              )}
                            </Group>
                          ) : (
                            <NumberInput
                              aria-label={`Items delivered to ${h.name}`}
                              min={0}
                              allowDecimal={false}
                              allowNegative={false}
                              value={amount.items}
                              onChange={(value) =>
                                setAmount(h.household_id, (a) => ({ ...a, items: String(value) }))
                              }
                              error={Boolean(error)}
                              readOnly={readOnly}
                              w={110}
                            />
                          )}
                          {error && (
                            <Text size="sm" c="red" role="alert">
                              {error}
                            </Text>
                          )}
                          {flagged && (
                            <Alert color="orange" variant="light" role="alert" p="xs">
                              <Stack gap="xs">
                                <Text size="sm">{implausible.message}</Text>
                                <Group>
                                  <Button
                                    size="xs"
                                    variant="default"
                                    loading={busy}
                                    onClick={() => void save(true)}
                                  >
                                    These weights are right
                                  </Button>
                                </Group>
                              </Stack>
                            </Alert>
                          )}
                        </Stack>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <FormErrorAlert message={formError} />
        {!readOnly && (
          <Group>
            <Button type="submit" loading={busy}>
              Save {product.name}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
