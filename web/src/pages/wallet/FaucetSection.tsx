import { Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { Address } from 'viem';
import { api, call } from '../../api/client';
import type { ChainInfo, ChainToken, ChainTransaction } from '../../api/types';

type ChainFaucet = NonNullable<ChainInfo['faucet']>;

import { FormErrorAlert } from '../../components/FormErrorAlert';
import { SectionCard } from '../../components/SectionCard';
import { useFormDraft } from '../../hooks/useFormDraft';
import { formatMinor, formatMinorNumber } from '../../lib/money';
import { type FormProblem, problemOf } from '../../lib/serverErrors';
import { useRefreshBalances } from './BalancesSection';
import { FaucetTransaction } from './FaucetTransaction';
import { parseFaucetAmount } from './faucetAmount';

/** Minor units as whole tokens, as the amount field takes them: `250000000` USDC is `250`. */
const wholeTokens = (token: ChainToken, minor: string) =>
  formatMinorNumber(minor, token.decimals).replace(/\.0+$/, '');

/** The development chain's faucet: test tokens (and ETH for gas) for the connected address. */
export function FaucetSection({
  address,
  tokens,
  faucet,
}: {
  address: Address;
  tokens: ChainToken[];
  faucet: ChainFaucet;
}) {
  const limitsOf = (symbol: string) => faucet.tokens.find((t) => t.symbol === symbol);
  const faucetTokens = tokens.filter((token) => limitsOf(token.symbol));
  const [sent, setSent] = useState<ChainTransaction[]>([]);
  const [formError, setFormError] = useState<FormProblem | null>(null);
  const refreshBalances = useRefreshBalances();
  const tokenOf = (symbol: string) => faucetTokens.find((token) => token.symbol === symbol);
  const maxMinorOf = (token: ChainToken) => BigInt(limitsOf(token.symbol)?.max_amount ?? '0');
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      token: faucetTokens[0]?.symbol ?? '',
      amount: faucetTokens[0]
        ? wholeTokens(faucetTokens[0], limitsOf(faucetTokens[0].symbol)!.default_amount)
        : '',
    },
    validateInputOnChange: true,
    validate: {
      token: (value) => (tokenOf(value) ? null : 'Choose a token'),
      amount: (value, values) => {
        const token = tokenOf(values.token);
        if (!token) return null;
        const parsed = parseFaucetAmount(value, token, maxMinorOf(token));
        return parsed.ok ? null : parsed.error;
      },
    },
  });
  useFormDraft(form, 'faucet');
  // The amount's limits depend on the token: check it again when the token changes.
  form.watch('token', () => {
    if (form.isTouched('amount')) form.validateField('amount');
  });

  const submit = form.onSubmit(async (values) => {
    setFormError(null);
    const token = tokenOf(values.token);
    if (!token) return;
    const parsed = parseFaucetAmount(values.amount, token, maxMinorOf(token));
    if (!parsed.ok) return;
    try {
      const grant = await call(
        api.POST('/api/chain/faucet', {
          body: { address, token: values.token as 'USDC' | 'DAI', amount: parsed.minor },
        }),
      );
      setSent((previous) => [...grant.transactions, ...previous]);
    } catch (error) {
      setFormError(problemOf(form, error));
    }
  });

  const chosen = tokenOf(form.values.token);
  const preview = chosen ? parseFaucetAmount(form.values.amount, chosen, maxMinorOf(chosen)) : null;
  const most = chosen ? wholeTokens(chosen, limitsOf(chosen.symbol)!.max_amount) : '';
  return (
    <SectionCard
      title="Test tokens"
      description="The development chain's faucet mints test tokens to your wallet, and sends ETH for gas when it has little. They are worth nothing outside this chain."
    >
      <form onSubmit={submit} noValidate aria-label="Get test tokens">
        <Stack gap="md">
          <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
            <Select
              label="Token"
              required
              miw={140}
              data={faucetTokens.map((token) => ({
                value: token.symbol,
                label: `${token.symbol} — ${token.name}`,
              }))}
              allowDeselect={false}
              {...form.getInputProps('token')}
            />
            <TextInput
              label="Amount"
              description={
                preview?.ok && chosen
                  ? `You get ${formatMinor(preview.minor, chosen.decimals, chosen.symbol)}; at most ${most}.`
                  : `Whole tokens, such as 250 or 12.5; at most ${most}.`
              }
              required
              inputMode="decimal"
              miw={180}
              {...form.getInputProps('amount')}
            />
          </Group>
          <FormErrorAlert message={formError} />
          <Group>
            <Button type="submit" loading={form.submitting} disabled={faucetTokens.length === 0}>
              Get test tokens
            </Button>
          </Group>
        </Stack>
      </form>
      {sent.length > 0 && (
        <Stack gap="xs" aria-label="Faucet transactions" component="section">
          {sent.map((transaction) => (
            <FaucetTransaction
              key={transaction.id}
              transaction={transaction}
              tokens={tokens}
              onConfirmed={() => void refreshBalances()}
            />
          ))}
        </Stack>
      )}
    </SectionCard>
  );
}
