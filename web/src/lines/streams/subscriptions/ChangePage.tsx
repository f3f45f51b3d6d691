import { Alert, Radio, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useConnection } from 'wagmi';
import { api, call } from '../../../api/client';
import type { components } from '../../../api/schema';
import type { StreamsPlan } from '../../../api/types';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { ConnectionSection } from '../../../pages/wallet/ConnectionSection';
import { NoChainAlert } from '../../../wallet/NoChainAlert';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { shortAddress, WalletStepsPanel } from '../checkout/CheckoutPage';
import { formatTokenWei, periodAmount } from '../format';
import { StreamsFrame } from '../StreamsFrame';

type Subscription = components['schemas']['StreamsSubscription'];

const monthly = (plan: StreamsPlan) =>
  plan.stream
    ? `${formatTokenWei(periodAmount(BigInt(plan.stream.flow_rate), 'month'), plan.token.symbol)} a month`
    : '';

/** The wallet the subscription streams from must be the one connected: only it can change its flow. */
function WithSubscriberWallet({
  subscription,
  children,
}: {
  subscription: Subscription;
  children: (address: `0x${string}`) => React.ReactNode;
}) {
  const chain = useChain();
  const connection = useConnection();
  if (chain.status === 'unavailable')
    return (
      <NoChainAlert reason={chain.error.message}>
        This Tally runs without a chain, so no stream can change now.
      </NoChainAlert>
    );
  const address = connection.status === 'connected' ? connection.address : undefined;
  const wrongWallet = address && address.toLowerCase() !== subscription.subscriber_address;
  const wrongChain = connection.status === 'connected' && connection.chainId !== chain.chain.id;
  return (
    <Stack gap="lg">
      <ConnectionSection chain={chain.chain} development={chain.info.development} />
      {wrongChain ? (
        <Alert color="yellow" variant="light" title="Your wallet is on another chain">
          Switch your wallet to {chain.chain.name} (chain {chain.chain.id}) first.
        </Alert>
      ) : !address ? (
        <Text size="sm">Connect the wallet the stream flows from: {subscription.subscriber_address}.</Text>
      ) : wrongWallet ? (
        <Alert color="yellow" variant="light" title="Another wallet streams this subscription">
          Only {subscription.subscriber_address} can change its stream: connect that wallet.
        </Alert>
      ) : (
        children(address)
      )}
    </Stack>
  );
}

function ChangeContent({ subscription }: { subscription: Subscription }) {
  const offer = useResource(`streams-producer-offer:${subscription.producer.id}`, () =>
    call(api.GET('/api/streams/producers/{id}', { params: { path: { id: subscription.producer.id } } })),
  );
  const [planId, setPlanId] = useState<string | null>(null);
  return (
    <ResourceView resource={offer} loadingLabel="Loading the producer’s plans…">
      {({ plans }) => {
        const choices = plans.filter(
          (plan) =>
            plan.kind === 'stream' &&
            plan.id !== subscription.plan.id &&
            plan.token.symbol === subscription.token,
        );
        const current = plans.find((plan) => plan.id === subscription.plan.id);
        const target = choices.find((plan) => plan.id === planId);
        if (choices.length === 0)
          return (
            <NothingYet title="No other plan to move to">
              {subscription.producer.name} has no other open stream plan in {subscription.token}.
            </NothingYet>
          );
        return (
          <Stack gap="lg">
            <SectionCard
              title="Move to"
              description={`Your stream's rate changes from the second the change lands: ${subscription.plan.name}${current ? ` (${monthly(current)})` : ''} is paid up to then, the new plan from then on.`}
            >
              <Radio.Group value={planId} onChange={setPlanId} label="Plan" required>
                <Stack gap="xs" mt="xs">
                  {choices.map((plan) => (
                    <Radio key={plan.id} value={plan.id} label={`${plan.name} — ${monthly(plan)}`} />
                  ))}
                </Stack>
              </Radio.Group>
            </SectionCard>
            {target && (
              <SectionCard
                title="With your wallet"
                description="One transaction updates your stream to the producer."
              >
                <WithSubscriberWallet subscription={subscription}>
                  {(address) => (
                    <WalletStepsPanel
                      plan={target}
                      address={address}
                      resetKey={target.id}
                      start={() =>
                        call(
                          api.POST('/api/streams/subscriptions/{id}/change', {
                            params: { path: { id: subscription.id } },
                            body: { plan_id: target.id },
                          }),
                        )
                      }
                      words={{
                        start: `Prepare the change with ${shortAddress(address)}`,
                        act: `Move to ${target.name}`,
                        signAndAct: `Sign and move to ${target.name}`,
                        doneTitle: `You are on ${target.name}`,
                        doneText: `Your stream now pays for ${target.name}; ${subscription.plan.name} was paid up to the second the change landed.`,
                      }}
                    />
                  )}
                </WithSubscriberWallet>
              </SectionCard>
            )}
          </Stack>
        );
      }}
    </ResourceView>
  );
}

function CancelContent({ subscription }: { subscription: Subscription }) {
  const plan = useResource(`streams-plan:${subscription.plan.id}`, () =>
    call(api.GET('/api/streams/plans/{id}', { params: { path: { id: subscription.plan.id } } })),
  );
  return (
    <ResourceView resource={plan} loadingLabel="Loading the plan…">
      {(data) => (
        <SectionCard
          title="End the subscription"
          description="One transaction from your wallet takes this plan’s share out of your stream to the producer, or ends the stream when it is the last plan on it. Its deposit comes back at once."
        >
          <WithSubscriberWallet subscription={subscription}>
            {(address) => (
              <WalletStepsPanel
                plan={data}
                address={address}
                resetKey={subscription.id}
                start={() =>
                  call(
                    api.POST('/api/streams/subscriptions/{id}/cancel', {
                      params: { path: { id: subscription.id } },
                    }),
                  )
                }
                words={{
                  start: `Prepare the cancel with ${shortAddress(address)}`,
                  act: 'End the subscription',
                  signAndAct: 'Sign and end the subscription',
                  doneTitle: 'The subscription has ended',
                  doneText: `Nothing more streams for ${subscription.plan.name}, and its deposit is back in your wallet.`,
                }}
              />
            )}
          </WithSubscriberWallet>
        </SectionCard>
      )}
    </ResourceView>
  );
}

/**
 * /streams/subscriptions/:subscriptionId/change and …/cancel: the subscriber moves a subscription to
 * another plan of the producer, or ends it, with their own wallet.
 */
export function ChangePage({ mode }: { mode: 'change' | 'cancel' }) {
  const { subscriptionId = '' } = useParams();
  const subscriptions = useResource(
    'streams-subscriptions-for-change',
    async () => (await call(api.GET('/api/streams/subscriptions'))).items,
  );
  const subscription = subscriptions.data?.find((s) => s.id === subscriptionId);
  return (
    <StreamsFrame
      title={
        subscription
          ? `${mode === 'change' ? 'Change' : 'Cancel'} ${subscription.plan.name}`
          : 'Your subscription'
      }
      description={subscription ? `From ${subscription.producer.name}` : undefined}
    >
      <ResourceView resource={subscriptions} loadingLabel="Loading your subscription…">
        {() =>
          !subscription ? (
            <NothingYet title="No such subscription">It is not one of yours.</NothingYet>
          ) : subscription.state !== 'active' && subscription.state !== 'at_risk' ? (
            <Alert color="gray" variant="light" title="This subscription no longer streams">
              Nothing is left to change or end.
            </Alert>
          ) : (
            <WithWallets>
              {mode === 'change' ? (
                <ChangeContent subscription={subscription} />
              ) : (
                <CancelContent subscription={subscription} />
              )}
            </WithWallets>
          )
        }
      </ResourceView>
    </StreamsFrame>
  );
}
