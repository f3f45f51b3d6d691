import type { components } from '../../../api/schema';

export type WalletSteps = components['schemas']['StreamsWalletSteps'];
export type WalletPrompt = WalletSteps['prompts'][number];
export type WalletStepKind = WalletSteps['steps'][number]['kind'];

/** Each on-chain step of a checkout, as the person reads it before their wallet asks. */
export function stepLabel(kind: WalletStepKind, token: string, underlying: string): string {
  switch (kind) {
    case 'approve':
      return `Allow ${token} to take the ${underlying} it wraps`;
    case 'wrap':
      return `Wrap ${underlying} into ${token}`;
    case 'create_flow':
      return 'Start the stream to the producer';
    case 'update_flow':
      return 'Add this plan to your stream to the producer';
    case 'authorize_operator':
      return 'Let Tally close or change the stream for you (so it never runs dry)';
    case 'pay':
      return `Pay the uses to the producer in ${token}`;
    case 'approve_start':
      return `Allow Tally to pay the start amounts of your vesting plans in ${token} at their cliff dates`;
    case 'delete_flow':
      return 'End the stream to the producer (its whole deposit comes back)';
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What the wallet will still ask, in words: "1 signature and 1 transaction". */
export function promptsLeft(prompts: readonly WalletPrompt[]): string {
  const signatures = prompts.filter((prompt) => prompt.kind === 'sign_permit').length;
  const transactions = prompts.length - signatures;
  const parts = [
    signatures > 0 ? plural(signatures, 'signature') : null,
    transactions > 0 ? plural(transactions, 'transaction') : null,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? 'nothing' : parts.join(' and ');
}

/** A span of seconds as people say it: "30 days", "about 5 hours", "under a minute". */
export function formatDuration(seconds: bigint): string {
  const minute = 60n;
  const hour = 3_600n;
  const day = 86_400n;
  if (seconds < minute) return 'under a minute';
  if (seconds < hour) return plural(Number(seconds / minute), 'minute');
  if (seconds < 2n * day) return `about ${plural(Number(seconds / hour), 'hour')}`;
  const days = seconds / day;
  if (days >= 730n) return `about ${plural(Number(days / 365n), 'year')}`;
  return `${seconds % day === 0n ? '' : 'about '}${plural(Number(days), 'day')}`;
}
