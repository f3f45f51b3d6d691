import { Alert, Anchor, Badge, Button, Checkbox, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { useClub, useCoopRefresh } from '../club/ClubLayout';
import { compactCode, formatEuros, plural } from '../format';
import { billKey, useCollections, useDebitableBills, useDirectDebitSettings, useMandates } from './resources';

const CREDITOR_ID = /^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/;

/** The club's settings' section: the Admin switches direct debit on with the club's creditor identifier. */
export function DirectDebitSettingsSection() {
  const { club } = useClub();
  const settings = useDirectDebitSettings(club.id);
  const refresh = useCoopRefresh();
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { creditor_id: '' },
    validateInputOnBlur: true,
    validate: {
      creditor_id: (value) =>
        CREDITOR_ID.test(compactCode(value))
          ? null
          : 'A creditor identifier reads like DE98ZZZ09999999999: country, check digits, three characters, number',
    },
  });
  const submit = form.onSubmit(async (values) => {
    setProblem(null);
    try {
      const saved = await call(
        api.PUT('/api/coop/clubs/{id}/direct-debit', {
          params: { path: { id: club.id } },
          body: { creditor_id: compactCode(values.creditor_id) },
        }),
      );
      if (!saved.settings) throw new Error('Direct debit was not switched on: try again.');
      settings.replace(saved.settings);
      form.reset();
      await refresh();
      notifications.show({
        color: 'teal',
        message: `Direct debit is on: households may sign a mandate for creditor ${saved.settings.creditor_id}.`,
      });
    } catch (error) {
      setProblem(problemOf(form, error));
    }
  });
  return (
    <SectionCard
      title="Direct debit"
      description="Optional: households that sign a SEPA mandate have their bills collected by the bookkeeper with a direct debit file. The club needs a SEPA creditor identifier from its national bank (in Germany, the Bundesbank) and its bank account set above."
    >
      <ResourceView resource={settings} loadingLabel="Loading the direct debit settings…">
        {(data) => (
          <form onSubmit={submit} noValidate aria-label="Direct debit">
            <Stack gap="sm" maw={560}>
              <Text size="sm" role="status">
                {data
                  ? `Direct debit is on, with the creditor identifier ${data.creditor_id}.`
                  : 'Direct debit is off: households pay by transfer.'}
              </Text>
              <TextInput
                label={data ? 'New creditor identifier' : 'SEPA creditor identifier'}
                description="Checked for typos before it is saved."
                required
                autoComplete="off"
                spellCheck={false}
                maxLength={50}
                {...form.getInputProps('creditor_id')}
              />
              <FormErrorAlert message={problem} />
              <Group>
                <Button type="submit" loading={form.submitting}>
                  {data ? 'Change the identifier' : 'Switch direct debit on'}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </ResourceView>
    </SectionCard>
  );
}

const pad = (value: number) => String(value).padStart(2, '0');
const tomorrow = () => {
  const next = new Date(Date.now() + 86_400_000);
  return `${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`;
};

const debitStateLabels = {
  sent: 'Collection sent',
  collected: 'Collected',
  returned: 'Returned',
  cancelled: 'Cancelled',
} as const;

/** The bookkeeper's part of direct debit on the Bank page: mandates, bills to collect, collections. */
export function DirectDebits() {
  const { club } = useClub();
  const refresh = useCoopRefresh();
  const settings = useDirectDebitSettings(club.id);
  const mandates = useMandates(club.id);
  const bills = useDebitableBills(club.id);
  const collections = useCollections(club.id);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [day, setDay] = useState('');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<{ download: string; message_id: string; text: string } | null>(null);

  if (settings.data === null)
    return (
      <SectionCard title="Direct debits">
        <Text size="sm" c="dimmed">
          Direct debit is off. The club’s Admin switches it on in the settings with the club’s creditor
          identifier.
        </Text>
      </SectionCard>
    );

  const collectable = (bills.data ?? []).filter((b) => b.collection_id === null);
  const ticked = collectable.filter((b) => chosen.has(billKey(b)));
  const total = ticked.reduce((sum, b) => sum + BigInt(b.owed_cents), 0n);
  const toggle = (key: string) =>
    setChosen((before) => {
      const after = new Set(before);
      if (after.has(key)) after.delete(key);
      else after.add(key);
      return after;
    });

  const collect = async (event: FormEvent) => {
    event.preventDefault();
    if (ticked.length === 0) return;
    setBusy(true);
    setProblem(null);
    try {
      const collection = await call(
        api.POST('/api/coop/clubs/{id}/direct-debit-collections', {
          params: { path: { id: club.id } },
          body: {
            bills: ticked.map((b) => ({ order_id: b.order_id, household_id: b.household_id })),
            ...(day ? { collection_date: day } : {}),
          },
        }),
      );
      setChosen(new Set());
      setMade({
        download: collection.download,
        message_id: collection.message_id,
        text: `${plural(collection.debits, 'debit')}, ${formatEuros(collection.total_cents)} in all, collected on ${collection.collection_date}.`,
      });
      await refresh();
    } catch (thrown) {
      const error = asApiError(thrown);
      setProblem({ message: error.fieldErrors.collection_date ?? error.message });
      await refresh();
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (collectionId: string) => {
    setProblem(null);
    try {
      await call(
        api.POST('/api/coop/direct-debit-collections/{id}/cancel', {
          params: { path: { id: collectionId } },
        }),
      );
      notifications.show({
        color: 'teal',
        message: 'The collection is cancelled: its bills may be collected again.',
      });
      await refresh();
    } catch (thrown) {
      setProblem({ message: asApiError(thrown).message });
    }
  };

  return (
    <SectionCard
      title="Direct debits"
      description="Bills of households that signed a mandate are collected from their account: tick them, choose the day, download the file and upload it to the club’s bank. A statement showing the money marks each bill paid."
    >
      <Stack gap="md">
        <ResourceView resource={mandates} loadingLabel="Loading the mandates…">
          {(items) =>
            items.length === 0 ? (
              <Text size="sm" c="dimmed">
                No household has signed a mandate yet: its members sign one on the household’s page.
              </Text>
            ) : (
              <Table aria-label="Mandates" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Household</Table.Th>
                    <Table.Th>Account holder</Table.Th>
                    <Table.Th>IBAN</Table.Th>
                    <Table.Th>Mandate reference</Table.Th>
                    <Table.Th>Signed</Table.Th>
                    <Table.Th>State</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items
                    .flatMap((m) => (m ? [m] : []))
                    .map((m) => (
                      <Table.Tr key={m.id}>
                        <Table.Td>{m.household_name}</Table.Td>
                        <Table.Td>{m.account_holder}</Table.Td>
                        <Table.Td>{m.iban}</Table.Td>
                        <Table.Td>{m.reference}</Table.Td>
                        <Table.Td>{m.signed_on}</Table.Td>
                        <Table.Td>
                          <Badge color={m.state === 'active' ? 'teal' : 'gray'} variant="light">
                            {m.state === 'active' ? 'Active' : 'Revoked'}
                          </Badge>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            )
          }
        </ResourceView>
        <ResourceView resource={bills} loadingLabel="Loading the bills to collect…">
          {(items) =>
            items.length === 0 ? (
              <Text size="sm" c="dimmed">
                No bill to collect: the due bills of households with a mandate appear here once an order is
                processed.
              </Text>
            ) : (
              <form onSubmit={(event) => void collect(event)} noValidate aria-label="Collect bills">
                <Stack gap="sm">
                  <Table aria-label="Bills to collect">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>
                          <Checkbox
                            aria-label="Tick every bill"
                            checked={collectable.length > 0 && ticked.length === collectable.length}
                            indeterminate={ticked.length > 0 && ticked.length < collectable.length}
                            onChange={() =>
                              setChosen(
                                ticked.length === collectable.length
                                  ? new Set()
                                  : new Set(collectable.map(billKey)),
                              )
                            }
                          />
                        </Table.Th>
                        <Table.Th>Order</Table.Th>
                        <Table.Th>Household</Table.Th>
                        <Table.Th style={{ textAlign: 'right' }}>Owed</Table.Th>
                        <Table.Th>State</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {items.map((b) => (
                        <Table.Tr key={billKey(b)}>
                          <Table.Td>
                            {b.collection_id === null && (
                              <Checkbox
                                aria-label={`Collect ${b.household_name}’s bill for order ${b.order_number}`}
                                checked={chosen.has(billKey(b))}
                                onChange={() => toggle(billKey(b))}
                              />
                            )}
                          </Table.Td>
                          <Table.Td>Order {b.order_number}</Table.Td>
                          <Table.Td>{b.household_name}</Table.Td>
                          <Table.Td style={{ textAlign: 'right' }}>{formatEuros(b.owed_cents)}</Table.Td>
                          <Table.Td>
                            <Badge color={b.collection_id ? 'blue' : 'gray'} variant="light">
                              {b.collection_id ? 'Collection sent' : 'Due'}
                            </Badge>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                  <Group align="flex-end" gap="sm">
                    <TextInput
                      type="date"
                      label="Collection day"
                      description="A bank day from tomorrow on; the next bank day when left empty."
                      value={day}
                      min={tomorrow()}
                      onChange={(event) => setDay(event.currentTarget.value)}
                    />
                    <Button type="submit" loading={busy} disabled={ticked.length === 0}>
                      Download direct debit file
                    </Button>
                    <Text size="sm" c="dimmed" pb={8} role="status">
                      {ticked.length === 0
                        ? 'Tick the bills to collect.'
                        : `${plural(ticked.length, 'bill')} ticked, ${formatEuros(total)} in all.`}
                    </Text>
                  </Group>
                </Stack>
              </form>
            )
          }
        </ResourceView>
        <FormErrorAlert message={problem} />
        {made && (
          <Alert color="teal" variant="light" title="The direct debit file is ready" role="status">
            <Stack gap={4}>
              <Text size="sm">{made.text} Upload it to the club’s bank.</Text>
              <Anchor href={made.download} download size="sm" fw={600} underline="always">
                Download {made.message_id}.xml
              </Anchor>
            </Stack>
          </Alert>
        )}
        <ResourceView resource={collections} loadingLabel="Loading the collections…">
          {(items) =>
            items.length === 0 ? (
              <Text size="sm" c="dimmed">
                No collection yet.
              </Text>
            ) : (
              <Table aria-label="Collections">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>File</Table.Th>
                    <Table.Th>Collection day</Table.Th>
                    <Table.Th>Debits</Table.Th>
                    <Table.Th style={{ textAlign: 'right' }}>Total</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <Anchor href={c.download} download size="sm">
                          {c.message_id}.xml
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{c.collection_date}</Table.Td>
                      <Table.Td>
                        {(c.items ?? [])
                          .map(
                            (d) =>
                              `${d.household_name} (order ${d.order_number}): ${debitStateLabels[d.state]}`,
                          )
                          .join('; ')}
                      </Table.Td>
                      <Table.Td style={{ textAlign: 'right' }}>{formatEuros(c.total_cents)}</Table.Td>
                      <Table.Td>
                        {c.state === 'cancelled' ? (
                          <Badge color="gray" variant="light">
                            Cancelled
                          </Badge>
                        ) : (
                          (c.items ?? []).every((d) => d.state === 'sent') && (
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => void cancel(c.id)}
                              aria-label={`Cancel ${c.message_id}`}
                            >
                              Cancel
                            </Button>
                          )
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )
          }
        </ResourceView>
      </Stack>
    </SectionCard>
  );
}
