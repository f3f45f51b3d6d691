import { Alert, Anchor, Badge, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CreditsWhitelabel } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { formatToTheSecond } from '../../../lib/dates';

/**
 * Where a reseller's domain stands (pending, verified, live, suspended) as a badge, and what to do
 * next in each state: the records to add, when Tally checks them, the link to a live domain, the
 * reason of a suspension, and a check now.
 */

/** A DNS record to add, as a zone file line, with a button that copies the part to paste. */
function DnsRecord({
  label,
  record,
  value,
  copy,
}: {
  label: string;
  record: string;
  value: string;
  copy: string;
}) {
  return (
    <Group gap="sm" wrap="nowrap">
      <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label={label}>
        {record}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy: copyValue }) => (
          <Button
            variant={copied ? 'light' : 'default'}
            color={copied ? 'teal' : undefined}
            onClick={copyValue}
          >
            {copied ? 'Copied' : copy}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

type DomainStatus = CreditsWhitelabel['status'];

const STATUS_BADGES: Record<DomainStatus, { label: string; color: string }> = {
  pending: { label: 'Waiting for DNS', color: 'orange' },
  verified: { label: 'Verified', color: 'blue' },
  active: { label: 'Live', color: 'teal' },
  suspended: { label: 'Suspended', color: 'red' },
};

/** What the last "Check now" found, as the API said it. */
interface CheckResult {
  verified: boolean;
  found: string[];
  challenge: boolean;
  problems: string[];
  lookupFailed: boolean;
}

function CheckNow({
  whitelabel,
  onChecked,
}: {
  whitelabel: CreditsWhitelabel;
  onChecked: (whitelabel: CreditsWhitelabel) => void;
}) {
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [found, setFound] = useState<CheckResult | null>(null);
  const check = async () => {
    setChecking(true);
    setError(null);
    try {
      const result = await call(api.POST('/api/credits/whitelabel/check-dns'));
      setFound({
        verified: result.verified,
        found: result.found,
        challenge: result.challenge_found,
        problems: result.problems,
        lookupFailed: result.lookup_failed,
      });
      onChecked(result.whitelabel);
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setChecking(false);
    }
  };
  return (
    <Stack gap="sm">
      <Group>
        <Button onClick={() => void check()} loading={checking}>
          Check now
        </Button>
      </Group>
      <FormErrorAlert message={error} />
      {found &&
        (found.lookupFailed ? (
          <Alert color="gray" variant="light" role="status" title="No answer from DNS">
            The DNS did not answer this time. Nothing was counted against your domain; try again in a moment.
          </Alert>
        ) : found.problems.length === 0 ? (
          <Alert color="teal" variant="light" role="status" title="Both records are right">
            {whitelabel.domain} points at Tally and is proven yours.
          </Alert>
        ) : (
          <Alert color="orange" variant="light" role="status" title="Not there yet">
            <Stack gap={4}>
              {found.problems.map((problem) => (
                <span key={problem}>{sentence(problem)}</span>
              ))}
              {whitelabel.status === 'pending' && (
                <span>If you just added them, stay tuned: DNS takes a while.</span>
              )}
            </Stack>
          </Alert>
        ))}
    </Stack>
  );
}

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

/** The two records to add at the reseller's DNS provider, each with a copy button. */
function DnsRecords({ whitelabel }: { whitelabel: CreditsWhitelabel }) {
  const record = `${whitelabel.domain}.  CNAME  ${whitelabel.cname_target}.`;
  const proof = `${whitelabel.challenge.host}.  TXT  "${whitelabel.challenge.value}"`;
  return (
    <Stack gap="sm">
      <Text size="sm">
        At your DNS provider, a CNAME record for <Code>{whitelabel.domain}</Code> pointing at{' '}
        <Code data-testid="cname-target">{whitelabel.cname_target}</Code>:
      </Text>
      <DnsRecord
        label="The CNAME record"
        record={record}
        value={whitelabel.cname_target}
        copy="Copy target"
      />
      <Text size="sm">
        And a TXT record that proves the domain is yours (another reseller could otherwise claim it first):
      </Text>
      <DnsRecord label="The TXT record" record={proof} value={whitelabel.challenge.value} copy="Copy value" />
    </Stack>
  );
}

/** When Tally looked at the records last, and when it looks next. */
function CheckTimes({ whitelabel }: { whitelabel: CreditsWhitelabel }) {
  return (
    <Text size="sm" c="dimmed" data-testid="check-times">
      Last checked: {formatToTheSecond(whitelabel.last_checked_at, 'not yet')}. Next check:{' '}
      {formatToTheSecond(whitelabel.next_check_at, 'within a minute')}.
    </Text>
  );
}

/** The domain's state as a badge, and what to do next in it. */
export function DomainState({
  whitelabel,
  onChecked,
}: {
  whitelabel: CreditsWhitelabel;
  onChecked: (whitelabel: CreditsWhitelabel) => void;
}) {
  const badge = STATUS_BADGES[whitelabel.status];
  const local = whitelabel.domain.endsWith('.localhost');
  return (
    <Stack gap="md">
      <Group gap="xs">
        <Badge color={badge.color} variant="light" size="lg" aria-label={`Status: ${badge.label}`}>
          {badge.label}
        </Badge>
        {whitelabel.dns_verified_at && (
          <Text size="sm" c="dimmed">
            verified {formatToTheSecond(whitelabel.dns_verified_at)}
          </Text>
        )}
      </Group>
      {whitelabel.status === 'pending' && (
        <>
          <Text size="sm">
            Add both records below at your DNS provider. Stay tuned for DNS propagation: this page updates by
            itself. Changes take from minutes to a day to spread; Tally checks every minute for the first day,
            then every quarter of an hour.
          </Text>
          <CheckTimes whitelabel={whitelabel} />
          <DnsRecords whitelabel={whitelabel} />
          <CheckNow whitelabel={whitelabel} onChecked={onChecked} />
        </>
      )}
      {whitelabel.status === 'verified' && (
        <>
          <Alert color="blue" variant="light" role="status" title="Your domain is verified">
            {whitelabel.domain} points at Tally and is proven yours: no other reseller can take it. It goes
            live as soon as it is ready; this page updates by itself.
          </Alert>
          <CheckTimes whitelabel={whitelabel} />
        </>
      )}
      {whitelabel.status === 'active' && (
        <>
          <Alert color="teal" variant="light" role="status" title="Your domain is live">
            <Stack gap={4}>
              <span>
                Your customers reach your products at{' '}
                <Anchor href={whitelabel.url} target="_blank" rel="noopener noreferrer">
                  {whitelabel.url}
                </Anchor>
                {whitelabel.activated_at
                  ? `, live since ${formatToTheSecond(whitelabel.activated_at)}.`
                  : '.'}
              </span>
              {local ? (
                <span>
                  On this development Tally a name under .localhost reaches this machine: no DNS records.
                </span>
              ) : (
                <span>Keep both records as they are: Tally checks them every hour.</span>
              )}
            </Stack>
          </Alert>
          {!local && whitelabel.failed_checks > 0 && (
            <Alert color="orange" variant="light" title="The last check found your records wrong">
              {whitelabel.failed_checks} of {whitelabel.suspend_after_failed_checks} checks in a row found
              them wrong; at {whitelabel.suspend_after_failed_checks} the domain is suspended. Check them
              below.
            </Alert>
          )}
          {!local && (
            <>
              <CheckTimes whitelabel={whitelabel} />
              <DnsRecords whitelabel={whitelabel} />
              <CheckNow whitelabel={whitelabel} onChecked={onChecked} />
            </>
          )}
        </>
      )}
      {whitelabel.status === 'suspended' && (
        <>
          <Alert color="red" variant="light" role="alert" title="Your domain is suspended">
            <Stack gap={4}>
              <span data-testid="suspension-reason">{whitelabel.suspension_reason}</span>
              <span>
                Suspended {formatToTheSecond(whitelabel.suspended_at)}: your customers do not reach your
                products there. Put the records below right; the domain is live again at the first check that
                finds both right, and this page updates by itself.
              </span>
            </Stack>
          </Alert>
          <CheckTimes whitelabel={whitelabel} />
          <DnsRecords whitelabel={whitelabel} />
          <CheckNow whitelabel={whitelabel} onChecked={onChecked} />
        </>
      )}
    </Stack>
  );
}
