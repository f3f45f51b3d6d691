import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import type { Address } from 'viem';
import { formatUsdc } from '../format';
import { type ReadBalance, SEARCH_LIMIT } from './encryptedBalance';
import type { EncryptedBalanceReader } from './useEncryptedBalance';

/** What a page calls the balance, Tally's figure for it, and what moves it. */
export type BalanceWords = {
  /** Said when the chain's ciphertext could not be read. */
  unavailable: string;
  /** The button that has the wallet make the key. */
  show: string;
  /** Said while the balance is read. */
  reading: string;
  /** The title of the alert when the balance could not be read. */
  unreadable: string;
  /** What Tally's figure is called: its record, its ledger. */
  record: string;
  /** After the amount: where it is held. */
  held: string;
  /** What may still be on its way when the chain holds another amount: a deposit, a payout. */
  onTheWay: string;
  /** The amount's test id; its check's is this with `-check`. */
  testId: string;
};

function BalanceFigure({
  reading,
  ledger,
  words,
}: {
  reading: ReadBalance;
  ledger: string;
  words: BalanceWords;
}) {
  if (reading.kind === 'unreadable') {
    return (
      <Alert color="orange" variant="light" role="status" title={words.unreadable}>
        It is not below {formatUsdc(SEARCH_LIMIT - 1n)}, or not encrypted to your key. Tally's {words.record}{' '}
        says {formatUsdc(ledger)}.
      </Alert>
    );
  }
  return (
    <Stack gap={4}>
      <Group gap="sm" align="baseline">
        <Title order={3} size="h1" data-testid={words.testId}>
          {formatUsdc(reading.value)}
        </Title>
        <Text c="dimmed">{words.held}</Text>
      </Group>
      <Text size="sm" role="status" data-testid={`${words.testId}-check`}>
        {reading.matchesLedger
          ? `This matches Tally's ${words.record} (${formatUsdc(ledger)}).`
          : `Tally's ${words.record} says ${formatUsdc(ledger)}: the chain holds another amount for your key. ${words.onTheWay} may still be on its way; look again in a minute.`}
      </Text>
    </Stack>
  );
}

/**
 * The balance as the page reads it: the button that has the wallet make the key, "Reading…" while the
 * key reads it, then the amount next to Tally's figure.
 */
export function EncryptedBalanceReading({
  reader,
  hasBalance,
  ledger,
  signer,
  hint,
  words,
}: {
  reader: EncryptedBalanceReader;
  hasBalance: boolean;
  ledger: string;
  /** The wallet that may make the key now, if any. */
  signer: Address | null;
  /** What the page says next to the button while no signature is asked for. */
  hint: string;
  words: BalanceWords;
}) {
  if (!hasBalance) return <Text size="sm">{words.unavailable}</Text>;
  if (reader.key === null) {
    return (
      <Group gap="sm">
        <Button
          variant="default"
          onClick={() => signer && void reader.show(signer)}
          loading={reader.signing}
          disabled={signer === null}
        >
          {words.show}
        </Button>
        <Text size="sm" c="dimmed">
          {reader.signing ? 'Sign the key message in your wallet…' : hint}
        </Text>
      </Group>
    );
  }
  if (reader.current === null) {
    return (
      <Text size="sm" role="status">
        {words.reading}
      </Text>
    );
  }
  return <BalanceFigure reading={reader.current} ledger={ledger} words={words} />;
}
