import { Anchor, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { ClubFrame, useClub, useClubMembers, useCoopRefresh, useHouseholds } from '../club/ClubLayout';
import { COOP, inGroupsOfFour } from '../format';
import { BankLinesTable, PaymentFilesTable, StatementsTable } from './BankTables';
import { DirectDebits } from './DirectDebits';
import { isWaiting, queueWords } from './format';
import { ImportStatementForm } from './ImportStatement';
import {
  useBankLines,
  useBankStatements,
  useClubBankAccount,
  useOpenBills,
  usePaymentBatches,
} from './resources';
import { WaitingLines } from './WaitingLines';

function TheClubsAccount({ clubId }: { clubId: string }) {
  const account = useClubBankAccount(clubId);
  if (account.data === undefined) return null;
  if (account.data === null)
    return (
      <>
        The club’s bank account is not set yet.{' '}
        <Anchor component={Link} to={`/coop/clubs/${clubId}/settings`} inherit underline="always">
          Set it in the settings.
        </Anchor>
      </>
    );
  return (
    <>
      The club’s account: {account.data.account_holder}, {inGroupsOfFour(account.data.iban)}.
    </>
  );
}

function Bank() {
  const { club } = useClub();
  const refresh = useCoopRefresh();
  const account = useClubBankAccount(club.id);
  const lines = useBankLines(club.id);
  const statements = useBankStatements(club.id);
  const batches = usePaymentBatches(club.id);
  const bills = useOpenBills(club.id);
  const members = useClubMembers(club.id);
  const households = useHouseholds(club.id);
  const onDecided = async (_line: unknown, message: string) => {
    notifications.show({ color: 'teal', message });
    // Lines, bills, orders and balances all moved.
    await refresh();
  };
  return (
    <ClubFrame title="Bank" description={<TheClubsAccount clubId={club.id} />}>
      <Stack gap="lg">
        <SectionCard
          title="Import a statement"
          description="Payments quoting a bill’s reference for what is owed settle it at once; the others wait for you below. A statement imported again changes nothing."
        >
          <ImportStatementForm clubId={club.id} account={account.data} onImported={refresh} />
        </SectionCard>
        <SectionCard title="Waiting for you" description={lines.data ? queueWords(lines.data) : undefined}>
          <ResourceView
            resource={lines}
            loadingLabel="Loading the lines…"
            isEmpty={(items) => !items.some(isWaiting)}
            empty={
              <NothingYet title="Nothing waits">
                {lines.data?.length
                  ? 'Every line of the statements is decided.'
                  : 'Import the club account’s statement above: the payments it cannot match to a bill wait here.'}
              </NothingYet>
            }
          >
            {(items) => (
              <Stack gap="sm">
                {bills.error && (
                  <FormErrorAlert message={`The open bills did not load: ${bills.error.message}`} />
                )}
                <WaitingLines
                  lines={items.filter(isWaiting)}
                  bills={bills.data}
                  households={households.data}
                  onDecided={onDecided}
                />
              </Stack>
            )}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="All lines"
          description="Every line of the statements imported, with what became of it."
        >
          <ResourceView
            resource={lines}
            loadingLabel="Loading the lines…"
            isEmpty={(items) => items.length === 0}
            empty={
              <Text size="sm" c="dimmed">
                No line yet: import a statement first.
              </Text>
            }
          >
            {(items) => <BankLinesTable lines={items} members={members.data} households={households.data} />}
          </ResourceView>
        </SectionCard>
        <SectionCard title="Statements imported">
          <ResourceView
            resource={statements}
            loadingLabel="Loading the statements…"
            isEmpty={(items) => items.length === 0}
            empty={
              <Text size="sm" c="dimmed">
                No statement imported yet.
              </Text>
            }
          >
            {(items) => <StatementsTable statements={items} members={members.data} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Payment files"
          description="Producers’ invoices paid by credit transfer: each file is uploaded to the club’s bank. Make one from an order’s books."
        >
          <ResourceView
            resource={batches}
            loadingLabel="Loading the payment files…"
            isEmpty={(items) => items.length === 0}
            empty={
              <Text size="sm" c="dimmed">
                No payment file yet: tick the invoices to pay on an order’s books, and make the file there.
              </Text>
            }
          >
            {(items) => <PaymentFilesTable batches={items} members={members.data} />}
          </ResourceView>
        </SectionCard>
        <DirectDebits />
      </Stack>
    </ClubFrame>
  );
}

/**
 * /coop/clubs/:clubId/bank: the bookkeeper's bank: statements imported and matched to bills, the
 * lines waiting for a decision, every line, and the payment files for producers.
 */
export function BankPage() {
  const { can } = useClub();
  if (!can(COOP.books)) {
    return (
      <ClubFrame title="Bank">
        <FormErrorAlert message="Only the club’s bookkeeper and its Admin work with the club’s bank statements." />
      </ClubFrame>
    );
  }
  return <Bank />;
}
