import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Address } from 'viem';
import { RefusalAlert } from '../components/RefusalAlert';
import { registrationStepWords, type useKeyRegistration } from './useEncryptedBalance';

/** What a page says around an account's registration. */
export type RegistrationWords = {
  /** The alert's title when the last registration failed on chain. */
  failed: string;
  /** After the chain's reason: what to do now. */
  again: string;
  /** Said while there is no account yet. */
  none: ReactNode;
  /** Under it all: what the wallet signs and who pays. */
  fineprint: string;
};

/**
 * The account that is not there yet, or whose registration failed: the button that has the wallet
 * sign for it, each step said while it runs.
 */
export function KeyRegistration({
  registration,
  failed,
  failure,
  label,
  signer,
  disabled,
  hint,
  note,
  words,
}: {
  registration: ReturnType<typeof useKeyRegistration>;
  /** Whether the last registration failed on chain, and the chain's reason when it gave one. */
  failed: boolean;
  failure: string | null | undefined;
  /** The button that starts the registration. */
  label: string;
  /** The wallet that signs when the button is pressed. */
  signer: Address | null;
  disabled: boolean;
  /** Said next to the button while no step runs. */
  hint?: string | null;
  /** Said under the button. */
  note?: ReactNode;
  words: RegistrationWords;
}) {
  const { step, refusal, register } = registration;
  return (
    <Stack gap="sm">
      {failed ? (
        <Alert color="red" variant="light" title={words.failed}>
          {failure ?? 'The chain refused it.'} {words.again}
        </Alert>
      ) : (
        words.none
      )}
      <Group gap="sm">
        <Button onClick={() => signer && void register(signer)} loading={step !== null} disabled={disabled}>
          {label}
        </Button>
        {step ? (
          <Text size="sm" role="status">
            {registrationStepWords[step]}
          </Text>
        ) : (
          hint && (
            <Text size="sm" c="dimmed">
              {hint}
            </Text>
          )
        )}
      </Group>
      {note}
      <RefusalAlert refusal={refusal} />
      <Text size="xs" c="dimmed">
        {words.fineprint}
      </Text>
    </Stack>
  );
}
