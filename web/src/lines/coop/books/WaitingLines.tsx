import { Badge, Button, Card, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopBankLine, CoopHousehold } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { formatEuros, inGroupsOfFour } from '../format';
import { BankLineBadge } from './BankTables';
import { billName, lineName } from './format';
import { billKey, type OpenBill } from './resources';

const confidenceColor = (confidence: number) =>
  confidence >= 80 ? 'teal' : confidence >= 50 ? 'yellow' : 'orange';

/** How sure the suggestion is, as a badge: 100 by reference, less by amount and the payer's name. */
export function ConfidenceBadge({ confidence }: { confidence: number }) {
  return (
    <Badge
      variant="light"
      color={confidenceColor(confidence)}
      tt="none"
      style={{ overflow: 'visible', flexShrink: 0 }}
      styles={{ label: { overflow: 'visible' } }}
    >
      {confidence} % likely
    </Badge>
  );
}

/** What the bank says of a line: when it was booked, from which account, and the payer's words. */
function LineFacts({ line }: { line: CoopBankLine }) {
  return (
    <Stack gap={2}>
      <Text size="sm" c="dimmed">
        Booked {line.booked_on}
        {line.counterparty_iban ? ` · from ${inGroupsOfFour(line.counterparty_iban)}` : ''}
        {` · bank’s id ${line.bank_id}`}
      </Text>
      {line.remittance && <Text size="sm">“{line.remittance}”</Text>}
      {line.references.length > 0 && (
        <Text size="sm">
          Quotes {line.references.length === 1 ? 'the reference' : 'the references'}{' '}
          {line.references.map(inGroupsOfFour).join(', ')}
        </Text>
      )}
    </Stack>
  );
}

type Decide = (line: CoopBankLine, message: string) => Promise<void>;

/**
 * One line waiting for the bookkeeper: a wrong amount to confirm, or a payment without a usable
 * reference to assign to a bill (the suggested one, or another open bill) or to set aside.
 */
/** The select's value for a household paying ahead, beside the bills' `order:household`. */
const AHEAD = 'ahead:';

function WaitingLine({
  line,
  bills,
  households,
  onDecided,
}: {
  line: CoopBankLine;
  bills: OpenBill[] | undefined;
  households: CoopHousehold[] | undefined;
  onDecided: Decide;
}) {
  const suggested =
    line.state === 'unmatched' && line.bill && line.order_id && line.household_id
      ? { order_id: line.order_id, household_id: line.household_id }
      : null;
  const [chosen, setChosen] = useState(suggested ? billKey(suggested) : '');
  const [choiceError, setChoiceError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'assign' | 'confirm' | 'ignore' | null>(null);
  const name = lineName(line);

  // The select offers the open bills, the suggested one first even when the list has not loaded yet.
  const options: { value: string; label: string }[] = [];
  if (suggested && line.bill) {
    options.push({
      value: billKey(suggested),
      label: `${billName(line.bill)}: ${formatEuros(line.bill.owed_cents)} owed (suggested)`,
    });
  }
  for (const bill of bills ?? []) {
    if (options.some((option) => option.value === billKey(bill))) continue;
    if (
      line.state === 'bad_amount' &&
      line.order_id === bill.order_id &&
      line.household_id === bill.household_id
    )
      continue;
    options.push({ value: billKey(bill), label: `${billName(bill)}: ${formatEuros(bill.owed_cents)} owed` });
  }
  // Money for no bill yet: a household paying ahead, whose next bills draw on its balance.
  const ahead =
    line.direction === 'credit'
      ? [...(households ?? [])]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((h) => ({ value: `${AHEAD}${h.id}`, label: `${h.name}: paying ahead` }))
      : [];

  const act = async (
    kind: 'assign' | 'confirm' | 'ignore',
    send: () => Promise<unknown>,
    message: string,
  ) => {
    setBusy(kind);
    setError(null);
    try {
      await send();
      await onDecided(line, message);
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(null);
    }
  };
  const path = { params: { path: { id: line.id } } };

  const assign = (event: FormEvent) => {
    event.preventDefault();
    if (chosen.startsWith(AHEAD)) {
      const householdId = chosen.slice(AHEAD.length);
      const household = households?.find((h) => h.id === householdId)?.name ?? 'The household';
      setChoiceError(null);
      void act(
        'assign',
        () =>
          call(
            api.POST('/api/coop/bank-lines/{id}/assign', { ...path, body: { household_id: householdId } }),
          ),
        `${name} is credited to ${household}’s balance: its next bills are paid from it first.`,
      );
      return;
    }
    const [orderId, householdId] = chosen.split(':');
    if (!orderId || !householdId) {
      setChoiceError('Choose the bill this payment is for');
      return;
    }
    setChoiceError(null);
    const bill =
      bills?.find((b) => billKey(b) === chosen) ??
      (line.bill ? { household_name: line.bill.household_name, order_number: line.bill.order_number } : null);
    void act(
      'assign',
      () =>
        call(
          api.POST('/api/coop/bank-lines/{id}/assign', {
            ...path,
            body: { order_id: orderId, household_id: householdId },
          }),
        ),
      `${name} is assigned to ${bill ? `the bill of ${billName(bill)}` : 'the bill'}.`,
    );
  };

  return (
    <Card withBorder padding="md" component="li" aria-label={name}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Text fw={600}>{name}</Text>
          <BankLineBadge state={line.state} />
        </Group>
        <LineFacts line={line} />
        {line.state === 'bad_amount' && line.bill && (
          <Stack gap="xs">
            <Text size="sm">
              For the bill of {billName(line.bill)}:{' '}
              <strong>{formatEuros(line.bill.owed_cents)} expected</strong>,{' '}
              <strong>{formatEuros(line.amount_cents)} paid</strong>.
            </Text>
            <Text size="xs" c="dimmed">
              Confirming records what arrived as a bad payment: {line.bill.household_name} is told, and asked
              to put it right.
            </Text>
            <Group>
              <Button
                size="xs"
                color="orange"
                loading={busy === 'confirm'}
                disabled={busy !== null}
                onClick={() =>
                  void act(
                    'confirm',
                    () => call(api.POST('/api/coop/bank-lines/{id}/confirm', path)),
                    `${line.bill?.household_name ?? 'The household'} is told ${formatEuros(line.amount_cents)} arrived for a bill of ${formatEuros(line.bill?.owed_cents ?? '0')}.`,
                  )
                }
              >
                Confirm the bad payment
              </Button>
            </Group>
          </Stack>
        )}
        {line.state === 'unmatched' &&
          (line.bill && line.confidence !== null ? (
            <Group gap="xs">
              <Text size="sm">
                Looks like the bill of {billName(line.bill)}, {formatEuros(line.bill.owed_cents)} owed.
              </Text>
              <ConfidenceBadge confidence={line.confidence} />
            </Group>
          ) : (
            <Text size="sm">No open bill looks like it: choose one, or set it aside.</Text>
          ))}
        <form onSubmit={assign} noValidate aria-label={`Assign ${name}`}>
          <Group align="flex-end" gap="sm">
            <NativeSelect
              label={line.state === 'bad_amount' ? 'Or another bill it pays' : 'Bill it pays'}
              value={chosen}
              onChange={(event) => {
                setChosen(event.currentTarget.value);
                setChoiceError(null);
              }}
              data={[
                { value: '', label: options.length ? 'Choose a bill' : 'No open bill: choose a household' },
                ...options,
                ...(ahead.length ? [{ group: 'Or a household paying ahead', items: ahead }] : []),
              ]}
              error={choiceError}
              w={380}
              maw="100%"
            />
            <Button
              type="submit"
              size="sm"
              variant={line.state === 'bad_amount' ? 'default' : 'filled'}
              loading={busy === 'assign'}
              disabled={busy !== null}
            >
              Assign
            </Button>
            <Button
              size="sm"
              variant="default"
              loading={busy === 'ignore'}
              disabled={busy !== null}
              onClick={() =>
                void act(
                  'ignore',
                  () => call(api.POST('/api/coop/bank-lines/{id}/ignore', path)),
                  `${name} is set aside: it pays no bill.`,
                )
              }
            >
              Set aside
            </Button>
          </Group>
        </form>
        <FormErrorAlert message={error} />
      </Stack>
    </Card>
  );
}

/** The lines waiting for the bookkeeper, one card each, wrong amounts first. */
export function WaitingLines({
  lines,
  bills,
  households,
  onDecided,
}: {
  lines: CoopBankLine[];
  bills: OpenBill[] | undefined;
  households: CoopHousehold[] | undefined;
  onDecided: Decide;
}) {
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Lines waiting">
      {lines.map((line) => (
        <WaitingLine key={line.id} line={line} bills={bills} households={households} onDecided={onDecided} />
      ))}
    </Stack>
  );
}
