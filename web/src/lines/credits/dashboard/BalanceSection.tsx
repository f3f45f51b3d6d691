import { ColorSwatch, Group, Progress, Select, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CreditsBalance, CreditsWorkspace } from '../../../api/types';
import { Facts } from '../../../components/Facts';
import { SectionCard } from '../../../components/SectionCard';
import { formatToTheSecond } from '../../../lib/dates';
import { formatCredits } from '../format';

const partColors = { used: 'gray.6', reserved: 'orange.6', available: 'teal.6' } as const;

/** An amount with the colour of its part of the bar above it. */
function Part({ part, amount }: { part: keyof typeof partColors; amount: string }) {
  return (
    <Group gap={6} component="span" wrap="nowrap">
      <ColorSwatch
        color={`var(--mantine-color-${partColors[part].replace('.', '-')})`}
        size={10}
        aria-hidden
        component="span"
      />
      {formatCredits(amount)}
    </Group>
  );
}

/** A part of the total as a percentage for a bar's width; drawing only, the numbers shown stay exact. */
function share(part: string, total: string): number {
  const whole = BigInt(total);
  if (whole <= 0n) return 0;
  return Number((BigInt(part) * 10_000n) / whole) / 100;
}

export function WorkspacePicker({
  workspaces,
  value,
  onChange,
  ownCredits = true,
}: {
  workspaces: CreditsWorkspace[];
  value: string;
  onChange: (workspaceId: string) => void;
  /** Whether the person has credits of their own to show besides the workspaces'. */
  ownCredits?: boolean;
}) {
  return (
    <Select
      label="Show"
      w={260}
      allowDeselect={false}
      data={[
        ...(ownCredits ? [{ value: '', label: 'All my credits' }] : []),
        ...workspaces
          .filter((workspace) => !workspace.archived_at)
          .map((workspace) => ({ value: workspace.id, label: `Workspace: ${workspace.name}` })),
      ]}
      value={value}
      onChange={(next) => onChange(next ?? '')}
    />
  );
}

/**
 * Total, used, reserved and available, exact, with a bar of the three parts and the refill dates.
 * `whose` says whose credits a workspace draws on after its reserve: "your credits", or the name of
 * the person it bills, since a member may spend someone else's.
 */
export function BalanceSection({
  balance,
  workspaceName,
  whose = 'your credits',
  picker,
}: {
  balance: CreditsBalance;
  workspaceName: string | null;
  whose?: string;
  picker: ReactNode;
}) {
  return (
    <SectionCard
      title="Balance"
      description={
        workspaceName
          ? `What can be spent in ${workspaceName}: its reserve first, then ${whose}.`
          : 'Your credits: what your products granted, what you used, what is held for work in progress.'
      }
      actions={picker}
    >
      <Stack gap="md">
        <Group gap="xs" align="baseline">
          <Title order={3} size="h1" aria-label={`Available: ${formatCredits(balance.available)}`}>
            <span data-testid="available-credits">{formatCredits(balance.available)}</span>
          </Title>
          <Text c="dimmed">available</Text>
        </Group>
        <Progress.Root size="xl" aria-hidden>
          <Progress.Section value={share(balance.used, balance.total)} color={partColors.used} />
          <Progress.Section value={share(balance.reserved, balance.total)} color={partColors.reserved} />
          <Progress.Section value={share(balance.available, balance.total)} color={partColors.available} />
        </Progress.Root>
        <Facts
          facts={[
            { label: 'Total', value: formatCredits(balance.total) },
            { label: 'Used', value: <Part part="used" amount={balance.used} /> },
            { label: 'Reserved', value: <Part part="reserved" amount={balance.reserved} /> },
            { label: 'Available', value: <Part part="available" amount={balance.available} /> },
            {
              label: 'Next refill',
              value: balance.next_refill_at
                ? formatToTheSecond(balance.next_refill_at)
                : whose === 'your credits'
                  ? 'none: your products do not refill'
                  : 'none',
            },
            { label: 'Last refill', value: formatToTheSecond(balance.refilled_at, 'not yet') },
          ]}
        />
      </Stack>
    </SectionCard>
  );
}
