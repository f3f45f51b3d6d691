import { Alert, Anchor, Button, Group, List, Stack, Text, TextInput, ThemeIcon } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Address, Hex } from 'viem';
import { useConfig, useConnection } from 'wagmi';
import { estimateGas, sendTransaction, signTypedData, waitForTransactionReceipt } from 'wagmi/actions';
import { api, call } from '../../../api/client';
import { ApiError } from '../../../api/errors';
import type { StreamsPlan } from '../../../api/types';
import { type Fact, Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { formatDateTime } from '../../../lib/dates';
import { formatMinor } from '../../../lib/money';
import { ConnectionSection } from '../../../pages/wallet/ConnectionSection';
import { FaucetSection } from '../../../pages/wallet/FaucetSection';
import { NoChainAlert } from '../../../wallet/NoChainAlert';
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { formatTokenWei, formatWei, periodAmount, perPeriod, tokenUnderlying } from '../format';
import { PlanCard, planCardView } from '../plans/PlanCard';
import { StreamsFrame } from '../StreamsFrame';
import { formatDuration, promptsLeft, stepLabel, type WalletSteps } from './steps';

type Checkout = WalletSteps['checkout'];

/** Where the person is in the checkout, as the page tells it. */
type Phase =
  | { kind: 'idle' }
  | { kind: 'signing' }
  | { kind: 'sending'; index: number; of: number }
  | { kind: 'mining'; hash: Hex }
  | { kind: 'following'; hash: Hex }
  | { kind: 'done'; checkout: Checkout };

const phaseWords = (phase: Phase): string | null => {
  switch (phase.kind) {
    case 'signing':
      return 'Sign the permit in your wallet: it lets the super token take what it wraps, without a transaction of its own.';
    case 'sending':
      return phase.of > 1
        ? `Confirm transaction ${phase.index} of ${phase.of} in your wallet…`
        : 'Confirm the transaction in your wallet…';
    case 'mining':
      return 'Sent; waiting for a block to include it…';
    case 'following':
      return 'In a block; waiting for Tally to see it…';
    default:
      return null;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 0x1234…abcd: enough of a wallet to recognise it on a button. */
export const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** What the chain figures mean for this person, before they sign. */
const monthly = (rate: string, token: string) =>
  `${formatTokenWei(periodAmount(BigInt(rate), 'month'), token)} a month`;

/** A change or a cancel: the one flow before and after, who is paid until when, and the deposit's difference. */
function changeFigures(plan: StreamsPlan, steps: WalletSteps): Fact[] {
  const token = plan.token.symbol;
  const buffer = BigInt(steps.buffer);
  const facts: Fact[] = [
    {
      label: 'Your stream to the producer',
      value: `${monthly(steps.existing_flow_rate, token)} → ${BigInt(steps.flow_rate_after) === 0n ? 'nothing: it ends' : monthly(steps.flow_rate_after, token)}`,
    },
    {
      label: 'Paid by the second',
      value:
        steps.checkout.purpose === 'change'
          ? `your current plan is paid up to the second the change lands, ${plan.name} from then on: nothing is owed either way`
          : 'the plan is paid up to the second the cancel lands, and nothing after',
    },
  ];
  if (buffer !== 0n)
    facts.push({
      label: buffer < 0n ? 'Deposit back to you' : 'Deposit locked on top',
      value: formatTokenWei(buffer < 0n ? -buffer : buffer, token),
    });
  if (BigInt(steps.wrap_amount) > 0n)
    facts.push({
      label: 'You wrap',
      value: `${formatMinor(steps.underlying_amount, steps.underlying_decimals, tokenUnderlying[token])} into ${token}`,
    });
  if (steps.lasts_seconds !== null && BigInt(steps.flow_rate_after) > 0n)
    facts.push({ label: 'Your balance then lasts', value: formatDuration(BigInt(steps.lasts_seconds)) });
  return facts;
}

function figures(plan: StreamsPlan, steps: WalletSteps): Fact[] {
  if (steps.checkout.purpose !== 'subscribe') return changeFigures(plan, steps);
  const token = plan.token.symbol;
  const underlying = tokenUnderlying[token];
  const facts: Fact[] = [];
  if (plan.usage && steps.checkout.uses !== null && steps.checkout.amount !== null) {
    facts.push({
      label: 'You pay',
      value: `${formatTokenWei(steps.checkout.amount, token)} for ${steps.checkout.uses.toLocaleString('en-US')} uses (${formatTokenWei(plan.usage.usage_price, token)} each), once, to the producer`,
    });
    if (BigInt(steps.wrap_amount) > 0n)
      facts.push({
        label: 'You wrap',
        value: `${formatMinor(steps.underlying_amount, steps.underlying_decimals, underlying)} into ${token} first (what your running streams live on is left alone)`,
      });
    if (steps.lasts_seconds !== null)
      facts.push({
        label: 'Your streams’ balance lasts',
        value: `${formatDuration(BigInt(steps.lasts_seconds))} after you pay`,
      });
    return facts;
  }
  if (plan.stream && steps.per_period)
    facts.push({
      label: `Streams ${perPeriod[plan.stream.period]}`,
      value: `${formatTokenWei(steps.per_period, token)} (${formatWei(plan.stream.flow_rate)} wei a second)`,
    });
  if (plan.vesting)
    facts.push({
      label: 'Starts',
      value: `${formatDateTime(plan.vesting.cliff_at)}: Tally opens the stream then, and ${formatTokenWei(plan.vesting.start_amount, token)} is paid as the start amount`,
    });
  if (BigInt(steps.existing_flow_rate) > 0n)
    facts.push({
      label: 'Your stream to this producer',
      value: `${formatWei(steps.existing_flow_rate)} → ${formatWei(steps.flow_rate_after)} wei a second (one stream carries all your plans of this producer in ${token})`,
    });
  facts.push({
    label: 'Deposit locked',
    value: `${formatTokenWei(steps.buffer, token)}: the protocol holds it while the stream runs and gives it back when the stream is closed in time`,
  });
  if (BigInt(steps.wrap_amount) > 0n)
    facts.push({
      label: 'You wrap',
      value: `${formatMinor(steps.underlying_amount, steps.underlying_decimals, underlying)} into ${token}: the deposit and ${formatDuration(BigInt(steps.prepaid_seconds))} of the stream`,
    });
  facts.push({
    label: 'Your balance lasts',
    value:
      steps.lasts_seconds === null
        ? 'for as long as you receive more than you stream'
        : `${formatDuration(BigInt(steps.lasts_seconds))} at every stream your wallet then sends; Tally warns you 7 days and 24 hours before it runs out`,
  });
  return facts;
}

function StepsList({ plan, steps }: { plan: StreamsPlan; steps: WalletSteps }) {
  const token = plan.token.symbol;
  return (
    <List spacing="xs" aria-label="Steps on chain">
      {steps.steps.map((step) => (
        <List.Item
          key={step.kind}
          icon={
            <ThemeIcon size={20} radius="xl" color={step.done ? 'teal' : 'gray'} variant="light">
              <Text size="xs" aria-hidden>
                {step.done ? '✓' : '·'}
              </Text>
            </ThemeIcon>
          }
        >
          <Text size="sm">
            {stepLabel(step.kind, token, tokenUnderlying[token])}
            {step.done && (
              <Text span size="sm" c="dimmed">
                {' '}
                — done already
              </Text>
            )}
          </Text>
        </List.Item>
      ))}
    </List>
  );
}

/** What the panel says at each turn: a checkout, a plan change and a cancel word them their own way. */
export interface PanelWords {
  start: string;
  act: string;
  signAndAct: string;
  doneTitle: string;
  doneText: string;
}

/**
 * A checkout's wallet steps, from starting the checkout to the follower's confirmation: the
 * figures and steps Tally planned, then the wallet's prompts one after the other. `start` makes
 * the checkout (a new plan, a change, a cancel); `resetKey` changing means a new one is needed.
 */
export function WalletStepsPanel({
  plan,
  address,
  start,
  resetKey,
  words,
  disabled = false,
}: {
  plan: StreamsPlan;
  address: Address;
  start: () => Promise<Checkout>;
  resetKey: string;
  words: PanelWords;
  disabled?: boolean;
}) {
  const config = useConfig();
  const chain = useChain();
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [steps, setSteps] = useState<WalletSteps | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [problem, setProblem] = useState<{ message: string; code?: string } | null>(null);
  const [loading, setLoading] = useState(false);

  const plannedFor = async (checkoutId: string) =>
    call(
      api.POST('/api/streams/checkouts/{id}/wallet-steps', {
        params: { path: { id: checkoutId } },
        body: {},
      }),
    );

  const begin = async () => {
    setProblem(null);
    setLoading(true);
    try {
      const made = await start();
      setCheckout(made);
      setSteps(await plannedFor(made.id));
    } catch (error) {
      setProblem(
        error instanceof ApiError ? { message: error.message, code: error.code } : { message: String(error) },
      );
    } finally {
      setLoading(false);
    }
  };

  // A new wallet, or another number of uses or plan, is a new checkout: what was planned does not hold.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the address and the key are the trigger
  useEffect(() => {
    setCheckout(null);
    setSteps(null);
    setPhase({ kind: 'idle' });
  }, [address, resetKey]);

  const run = async () => {
    if (!checkout || !steps) return;
    setProblem(null);
    try {
      let current = steps;
      const first = current.prompts[0];
      if (first?.kind === 'sign_permit' && first.typed_data) {
        setPhase({ kind: 'signing' });
        const { domain, message } = first.typed_data;
        const signature = await signTypedData(config, {
          account: address,
          domain: { ...domain, verifyingContract: domain.verifyingContract as Address },
          types: first.typed_data.types,
          primaryType: 'Permit',
          message: {
            owner: message.owner as Address,
            spender: message.spender as Address,
            value: BigInt(message.value),
            nonce: BigInt(message.nonce),
            deadline: BigInt(message.deadline),
          },
        });
        current = await call(
          api.POST('/api/streams/checkouts/{id}/wallet-steps', {
            params: { path: { id: checkout.id } },
            body: { permit: { value: message.value, deadline: message.deadline, signature } },
          }),
        );
        setSteps(current);
      }
      const sends = current.prompts.filter((prompt) => prompt.kind === 'send' && prompt.transaction);
      let hash: Hex | null = null;
      for (const [index, prompt] of sends.entries()) {
        setPhase({ kind: 'sending', index: index + 1, of: sends.length });
        const to = prompt.transaction!.to as Address;
        const data = prompt.transaction!.data as Hex;
        // Superfluid's agreements settle what streamed since a flow's last update: mined a few
        // seconds after the estimate, the call can cost more, so a quarter goes on top.
        const estimate = await estimateGas(config, { account: address, to, data });
        hash = await sendTransaction(config, { account: address, to, data, gas: estimate + estimate / 4n });
        setPhase({ kind: 'mining', hash });
        const receipt = await waitForTransactionReceipt(config, { hash });
        if (receipt.status !== 'success')
          throw new Error(`The chain refused transaction ${hash} (it reverted).`);
      }
      if (!hash) return;
      // A vesting plan's flow opens at the cliff, by Tally: the wallet's part is done once mined.
      if (plan.vesting && checkout.purpose === 'subscribe') {
        setPhase({ kind: 'done', checkout });
        return;
      }
      setPhase({ kind: 'following', hash });
      // The follower confirms the flow after the chain's confirmations: poll the checkout until then.
      for (;;) {
        const now = await call(
          api.GET('/api/streams/checkouts/{id}', { params: { path: { id: checkout.id } } }),
        );
        if (now.state === 'completed') {
          setPhase({ kind: 'done', checkout: now });
          return;
        }
        if (now.state !== 'reserved') throw new Error(`The checkout is ${now.state}.`);
        await sleep(1500);
      }
    } catch (error) {
      setPhase({ kind: 'idle' });
      if (error instanceof ApiError) setProblem({ message: error.message, code: error.code });
      else setProblem({ message: walletErrorMessage(error) });
      // Plan again: what the wallet did before the failure is done, and a signed permit may be spent.
      try {
        setSteps(await plannedFor(checkout.id));
      } catch {
        // The refusal above says enough.
      }
    }
  };

  if (phase.kind === 'done') {
    return (
      <Alert color="teal" variant="light" title={words.doneTitle}>
        <Stack gap="xs">
          <Text size="sm">{words.doneText}</Text>
          <Anchor component={Link} to="/streams/subscriptions">
            Your subscriptions
          </Anchor>
        </Stack>
      </Alert>
    );
  }

  const phaseText = phaseWords(phase);
  const busy = phase.kind !== 'idle';
  const insufficient = problem?.code === 'insufficient_funds';
  return (
    <Stack gap="md">
      {!steps && (
        <Group gap="sm">
          <Button onClick={() => void begin()} loading={loading} disabled={disabled}>
            {words.start}
          </Button>
          <Text size="sm" c="dimmed">
            Tally holds this for 30 minutes while your wallet signs.
          </Text>
        </Group>
      )}
      {problem && (
        <Alert
          color={insufficient ? 'yellow' : 'red'}
          variant="light"
          title={insufficient ? 'Not enough in your wallet' : 'The checkout stopped'}
          role="alert"
        >
          {problem.message}
        </Alert>
      )}
      {insufficient && chain.status === 'connected' && chain.info.faucet && (
        <FaucetSection address={address} tokens={chain.info.tokens} faucet={chain.info.faucet} />
      )}
      {steps && checkout && (
        <>
          <Facts facts={figures(plan, steps)} />
          <StepsList plan={plan} steps={steps} />
          <Text size="sm" role="status">
            {steps.prompts.length === 0
              ? 'Nothing is left for your wallet to do.'
              : `Your wallet will ask for ${promptsLeft(steps.prompts)}.`}{' '}
            {checkout.purpose === 'cancel' ? 'Ready' : 'Your place is held'} until{' '}
            {formatDateTime(checkout.expires_at)}.
          </Text>
          <Group gap="sm">
            <Button onClick={() => void run()} loading={busy} disabled={steps.prompts.length === 0}>
              {steps.prompts[0]?.kind === 'sign_permit' ? words.signAndAct : words.act}
            </Button>
            {phaseText && (
              <Text size="sm" role="status">
                {phaseText}
              </Text>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}

/** How many uses to buy: within the plan's limits, with what they cost. */
function UsesField({ plan, onChange }: { plan: StreamsPlan; onChange: (uses: number | undefined) => void }) {
  const usage = plan.usage!;
  const [text, setText] = useState(String(usage.min_usage));
  const parsed = /^\d{1,7}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const error =
    Number.isNaN(parsed) || parsed < usage.min_usage || parsed > usage.max_usage
      ? `From ${usage.min_usage.toLocaleString('en-US')} to ${usage.max_usage.toLocaleString('en-US')} uses.`
      : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the parsed number is what changes
  useEffect(() => onChange(error ? undefined : parsed), [parsed, error]);
  return (
    <TextInput
      label="Uses to buy"
      required
      inputMode="numeric"
      maw={240}
      value={text}
      onChange={(event) => setText(event.currentTarget.value)}
      error={error}
      description={
        error
          ? undefined
          : `${formatTokenWei(BigInt(usage.usage_price) * BigInt(parsed), plan.token.symbol)} in all, ${formatTokenWei(usage.usage_price, plan.token.symbol)} a use.`
      }
    />
  );
}

function CheckoutContent({ plan }: { plan: StreamsPlan }) {
  const chain = useChain();
  const connection = useConnection();
  const [uses, setUses] = useState<number | undefined>(plan.usage?.min_usage);
  if (chain.status === 'unavailable')
    return (
      <NoChainAlert reason={chain.error.message}>
        This Tally runs without a chain, so no stream can start now.
      </NoChainAlert>
    );
  const address = connection.status === 'connected' ? connection.address : undefined;
  const wrongChain = connection.status === 'connected' && connection.chainId !== chain.chain.id;
  return (
    <Stack gap="lg">
      <ConnectionSection chain={chain.chain} development={chain.info.development} />
      <SectionCard
        title="Subscribe"
        description={
          plan.usage
            ? 'Your wallet pays for the uses in one transfer to the producer, wrapping what it needs first.'
            : 'Your wallet wraps what the stream needs, starts it to the producer and lets Tally keep watch over it.'
        }
      >
        {wrongChain ? (
          <Alert color="yellow" variant="light" title="Your wallet is on another chain">
            Switch your wallet to {chain.chain.name} (chain {chain.chain.id}) first.
          </Alert>
        ) : address ? (
          <Stack gap="md">
            {plan.usage && <UsesField plan={plan} onChange={setUses} />}
            <WalletStepsPanel
              plan={plan}
              address={address}
              resetKey={String(uses)}
              disabled={plan.usage !== null && uses === undefined}
              start={() =>
                call(
                  api.POST('/api/streams/plans/{id}/checkouts', {
                    params: { path: { id: plan.id } },
                    body: {
                      subscriber_address: address,
                      ...(plan.usage && uses !== undefined ? { uses } : {}),
                    },
                  }),
                )
              }
              words={
                plan.usage
                  ? {
                      start: `Check out with ${shortAddress(address)}`,
                      act: 'Pay',
                      signAndAct: 'Sign and pay',
                      doneTitle: 'Your uses are bought',
                      doneText: `The producer's service can serve your wallet ${address} now; you see what is left, and buy more, on your subscriptions page.`,
                    }
                  : plan.vesting
                    ? {
                        start: `Check out with ${shortAddress(address)}`,
                        act: 'Subscribe',
                        signAndAct: 'Sign and subscribe',
                        doneTitle: 'You are subscribed from the cliff date',
                        doneText: `On ${formatDateTime(plan.vesting.cliff_at)} Tally pays the start amount from your wallet ${address} and opens your stream; until then nothing flows. It then shows on your subscriptions page.`,
                      }
                    : {
                        start: `Check out with ${shortAddress(address)}`,
                        act: 'Subscribe',
                        signAndAct: 'Sign and subscribe',
                        doneTitle: 'You are subscribed',
                        doneText: `Your stream to the producer runs from your wallet ${address}. You can see it, change it or cancel it on your subscriptions page.`,
                      }
              }
            />
          </Stack>
        ) : (
          <Text size="sm">Connect a wallet above: the stream flows from it.</Text>
        )}
      </SectionCard>
    </Stack>
  );
}

/** /streams/plans/:planId/checkout: subscribe to a plan with a wallet, in the fewest prompts its token allows. */
export function CheckoutPage() {
  const { planId = '' } = useParams();
  const plan = useResource(`streams-plan:${planId}`, () =>
    call(api.GET('/api/streams/plans/{id}', { params: { path: { id: planId } } })),
  );
  return (
    <StreamsFrame title={plan.data ? `Subscribe to ${plan.data.name}` : 'Subscribe'}>
      <ResourceView resource={plan} loadingLabel="Loading the plan…">
        {(data) => (
          <Stack gap="lg">
            <PlanCard view={planCardView(data)} />
            {!data.open ? (
              <Alert color="yellow" variant="light" title="This plan takes no subscribers now">
                {data.status === 'inactive'
                  ? 'Its producer paused it.'
                  : `It opens on ${formatDateTime(data.starts_at)}.`}
              </Alert>
            ) : (
              <WithWallets>
                <CheckoutContent plan={data} />
              </WithWallets>
            )}
          </Stack>
        )}
      </ResourceView>
    </StreamsFrame>
  );
}
