import { Alert, Anchor, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { type UseFormReturnType, useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useConfig, useConnection } from 'wagmi';
import { api, call } from '../../../api/client';
import { ApiError, sentence } from '../../../api/errors';
import type { CreditsCheckout, CreditsCheckoutOffer } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useFocusFirstInvalid } from '../../../hooks/useFocusFirstInvalid';
import { useResource } from '../../../hooks/useResource';
import { type FormProblem, problemOf } from '../../../lib/serverErrors';
import { checkEmail } from '../../../lib/validators';
import { ConnectionSection } from '../../../pages/wallet/ConnectionSection';
import { NoChainAlert } from '../../../wallet/NoChainAlert';
import { type AuthorizationTerms, signReceiveAuthorization } from '../../../wallet/receiveAuthorization';
import { walletErrorMessage } from '../../../wallet/signInWithEthereum';
import { useChain } from '../../../wallet/WalletProvider';
import { WithWallets } from '../../../wallet/WithWallets';
import { formatDisplayPrice, formatUsdcPayment } from '../format';
import { CheckoutFollower } from './CheckoutFollower';

/** What the page shows of an offer; the terms and the value are passed once known to be there. */
type Offer = Pick<CreditsCheckoutOffer, 'product' | 'price' | 'unavailable'>;
type BuyerFields = { email: string; name: string };
type Step = 'signing' | 'sending' | null;

/** The product and what it costs: the price as it is sold, and the USDC the wallet pays. */
function OfferCard({ offer, paidAs }: { offer: Offer; paidAs?: string }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label="The product">
      <Stack gap="xs">
        <Title order={2} size="h3">
          {offer.product.name}
        </Title>
        {offer.product.description && <Text size="sm">{offer.product.description}</Text>}
        <Text size="xl" fw={700} data-testid="checkout-price">
          {formatDisplayPrice(offer.price)}
        </Text>
        {paidAs && (
          <Text size="sm" c="dimmed">
            {paidAs}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/**
 * What the server refused, next to the field it names or above the button. Tally reads the wallet's
 * USDC before it takes the payment, so a wallet short of it is refused here, in words a buyer can act on.
 */
function refusalOf(
  form: UseFormReturnType<BuyerFields>,
  error: ApiError,
  amount: string,
): FormProblem | null {
  if (error.code === 'insufficient_balance') {
    const { balance } = (error.details ?? {}) as { balance?: string };
    const holds = balance === undefined ? 'less than that' : formatUsdcPayment(balance);
    return {
      message: `This payment needs ${amount}, and your wallet holds ${holds}. Put ${amount} in it, then pay again.`,
    };
  }
  return problemOf(form, error);
}

function PayForm({
  offer,
  terms,
  value,
  form,
  onStarted,
}: {
  offer: Offer;
  terms: AuthorizationTerms;
  value: string;
  form: UseFormReturnType<BuyerFields>;
  onStarted: (checkout: CreditsCheckout) => void;
}) {
  const config = useConfig();
  const connection = useConnection();
  const [step, setStep] = useState<Step>(null);
  const [problem, setProblem] = useState<FormProblem | string | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const address = connection.status === 'connected' ? connection.address : undefined;
  const wrongChain = connection.status === 'connected' && connection.chainId !== terms.chain_id;
  const amount = formatUsdcPayment(value);

  const submit = form.onSubmit(async ({ email, name }) => {
    setProblem(null);
    if (!address) return;
    try {
      setStep('signing');
      const authorization = await signReceiveAuthorization(config, { terms, from: address, value });
      setStep('sending');
      const checkout = await call(
        api.POST('/api/credits/checkout/{productId}', {
          params: { path: { productId: offer.product.id } },
          body: { email: email.trim(), ...(name.trim() ? { name: name.trim() } : {}), authorization },
        }),
      );
      onStarted(checkout);
    } catch (error) {
      setProblem(error instanceof ApiError ? refusalOf(form, error, amount) : walletErrorMessage(error));
      focusFirstInvalid();
    } finally {
      setStep(null);
    }
  }, focusFirstInvalid);

  const blocked = !address
    ? 'Connect a wallet above first.'
    : wrongChain
      ? `Switch your wallet to chain ${terms.chain_id} first.`
      : null;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Pay with USDC">
      <Stack gap="md">
        <TextInput
          label="Email"
          description="Your account is made under this address, and your login details are mailed to it."
          type="email"
          autoComplete="email"
          required
          maw={420}
          {...form.getInputProps('email')}
        />
        <TextInput
          label="Name"
          description="Optional: how Tally greets you."
          autoComplete="name"
          maw={420}
          {...form.getInputProps('name')}
        />
        <FormErrorAlert message={problem} />
        <Group gap="sm">
          <Button type="submit" loading={step !== null} disabled={blocked !== null}>
            Pay {amount}
          </Button>
          {blocked && (
            <Text size="sm" c="dimmed">
              {blocked}
            </Text>
          )}
          {step && (
            <Text size="sm" role="status">
              {step === 'signing' ? 'Sign the payment in your wallet…' : 'Sending the payment to Tally…'}
            </Text>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          Your wallet signs one EIP-3009 authorization (ReceiveWithAuthorization) of {amount} to Tally's
          treasury, valid for an hour. Tally submits it and pays the gas; you send no transaction.
        </Text>
      </Stack>
    </form>
  );
}

/** The part that needs wallets: connecting one, paying, and following the payment. */
function PaySection({ offer, terms, value }: { offer: Offer; terms: AuthorizationTerms; value: string }) {
  const chain = useChain();
  const [params, setParams] = useSearchParams();
  const [started, setStarted] = useState<CreditsCheckout | undefined>(undefined);
  const form = useForm<BuyerFields>({
    mode: 'controlled',
    initialValues: { email: '', name: '' },
    validateInputOnChange: true,
    validate: { email: checkEmail },
  });
  // The checkout's id is in the address, so a reload (or the link kept) goes on following it.
  const following = params.get('checkout');
  const follow = (checkout: CreditsCheckout | null) => {
    setStarted(checkout ?? undefined);
    setParams(checkout ? { checkout: checkout.id } : {}, { replace: true });
  };

  if (chain.status === 'unavailable') {
    return (
      <NoChainAlert reason={chain.error.message}>
        This Tally could not reach its chain, so no payment can be made now. Try again later.
      </NoChainAlert>
    );
  }
  const chainName =
    chain.chain.id === terms.chain_id
      ? `${chain.chain.name} (chain ${terms.chain_id})`
      : `chain ${terms.chain_id}`;
  const amount = formatUsdcPayment(value);
  return (
    <Stack gap="lg">
      <OfferCard offer={offer} paidAs={`Paid as ${amount} on ${chainName}, one USDC for each US dollar.`} />
      {following ? (
        <SectionCard title="Payment">
          <CheckoutFollower
            key={following}
            id={following}
            initial={started?.id === following ? started : undefined}
            confirmations={terms.confirmations}
            onTryAgain={() => follow(null)}
          />
        </SectionCard>
      ) : (
        <>
          <ConnectionSection chain={chain.chain} development={chain.info.development} forSignIn={false} />
          <SectionCard
            title="Pay"
            description="No account needed: paying makes one under your email address, and mails its login details."
          >
            <PayForm offer={offer} terms={terms} value={value} form={form} onStarted={follow} />
          </SectionCard>
        </>
      )}
    </Stack>
  );
}

function Unavailable({ offer }: { offer: Offer }) {
  return (
    <Stack gap="lg">
      <OfferCard offer={offer} />
      <Alert color="yellow" variant="light" title="This product cannot be bought here" role="status">
        <Stack gap="xs">
          <Text size="sm">{sentence(offer.unavailable ?? 'the checkout is off')}</Text>
          <Text size="sm">
            See the{' '}
            <Anchor component={Link} to="/credits/products" inherit>
              products on sale
            </Anchor>{' '}
            for how to buy it.
          </Text>
        </Stack>
      </Alert>
    </Stack>
  );
}

/** /buy/:productId: a product's payment link, for anyone, paid in USDC by one wallet signature. */
export function CheckoutPage() {
  const { productId = '' } = useParams();
  const offer = useResource(`credits-checkout-offer:${productId}`, () =>
    call(api.GET('/api/credits/checkout/{productId}', { params: { path: { productId } } })),
  );
  const notSold = offer.error?.code === 'product_not_sold';
  return (
    <Stack gap={0} maw={760}>
      <PageHeader
        title={offer.data ? `Buy ${offer.data.product.name}` : 'Buy'}
        description="Pay with USDC from your wallet: your account and its credits arrive by mail."
      />
      {notSold ? (
        <Alert color="yellow" variant="light" title="No longer sold" role="status">
          {offer.error?.message}{' '}
          <Anchor component={Link} to="/credits/products" inherit>
            See the products on sale.
          </Anchor>
        </Alert>
      ) : (
        <ResourceView resource={offer} loadingLabel="Loading the product…">
          {(data) =>
            data.unavailable || !data.value || !data.terms ? (
              <Unavailable offer={data} />
            ) : (
              <WithWallets>
                <PaySection offer={data} terms={data.terms} value={data.value} />
              </WithWallets>
            )
          }
        </ResourceView>
      )}
    </Stack>
  );
}

export default CheckoutPage;
