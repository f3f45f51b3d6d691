import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CreditsWhitelabel } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { formatToTheSecond } from '../../../lib/dates';
import { showServerErrors } from '../../../lib/serverErrors';
import { ResellerFrame, useWhitelabel } from './ResellerFrame';

const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

function checkDomain(value: string): string | null {
  if (!value.trim()) return 'Enter your domain, such as app.example.com';
  return DOMAIN.test(value.trim()) ? null : 'Enter a domain name such as app.example.com, without https://';
}

function DomainForm({
  current,
  onSaved,
  blocked,
}: {
  current: CreditsWhitelabel | null;
  onSaved: (whitelabel: CreditsWhitelabel) => void;
  /** Why no domain can point at this Tally (its public address is this machine); null when one can. */
  blocked: string | null;
}) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    mode: 'controlled',
    initialValues: { domain: current?.domain ?? '' },
    validateInputOnChange: true,
    validate: { domain: checkDomain },
  });
  const submit = form.onSubmit(async ({ domain }) => {
    setFormError(null);
    try {
      onSaved(await call(api.PUT('/api/credits/whitelabel/domain', { body: { domain: domain.trim() } })));
    } catch (error) {
      setFormError(showServerErrors(form, error));
    }
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Your domain">
      <Stack gap="md">
        <TextInput
          label="Domain"
          description="Where your customers will reach your product, such as app.example.com."
          required
          maw={420}
          {...form.getInputProps('domain')}
        />
        {current && (
          <Text size="sm" c="dimmed">
            Changing the domain starts the check again, with a new TXT value: the new name must point at Tally
            and be proven yours too.
          </Text>
        )}
        <FormErrorAlert message={formError} />
        {blocked && (
          <Alert color="orange" variant="light" role="status" title="This Tally cannot take a domain yet">
            {blocked}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={form.submitting} disabled={blocked !== null}>
            {current ? 'Change domain' : 'Save domain'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

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

function DnsSteps({
  whitelabel,
  onChecked,
}: {
  whitelabel: CreditsWhitelabel;
  onChecked: (whitelabel: CreditsWhitelabel) => void;
}) {
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [found, setFound] = useState<{ verified: boolean; records: string[]; challenge: boolean } | null>(
    null,
  );
  const record = `${whitelabel.domain}.  CNAME  ${whitelabel.cname_target}.`;
  const proof = `${whitelabel.challenge.host}.  TXT  "${whitelabel.challenge.value}"`;
  const check = async () => {
    setChecking(true);
    setError(null);
    try {
      const result = await call(api.POST('/api/credits/whitelabel/check-dns'));
      setFound({ verified: result.verified, records: result.found, challenge: result.challenge_found });
      onChecked(result.whitelabel);
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setChecking(false);
    }
  };
  return (
    <Stack gap="md">
      <Group gap="xs">
        {whitelabel.dns_verified_at ? (
          <Badge color="teal" variant="light">
            verified {formatToTheSecond(whitelabel.dns_verified_at)}
          </Badge>
        ) : (
          <Badge color="orange" variant="light">
            waiting for DNS
          </Badge>
        )}
        <Text size="sm" c="dimmed">
          Last checked: {formatToTheSecond(whitelabel.last_checked_at, 'not yet')}
        </Text>
      </Group>
      <Text size="sm">
        At your DNS provider, add a CNAME record for <Code>{whitelabel.domain}</Code> pointing at{' '}
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
      <Text size="sm">
        DNS changes take from minutes to a day to spread. Check when you have added both records; once they
        are right, your customers can reach your products on your domain.
      </Text>
      <Group>
        <Button onClick={() => void check()} loading={checking}>
          Check DNS
        </Button>
      </Group>
      <FormErrorAlert message={error} />
      {found &&
        (found.verified ? (
          <Alert color="teal" variant="light" role="status" title="Your domain is verified">
            {whitelabel.domain} points at Tally and is proven yours.
          </Alert>
        ) : (
          <Alert color="orange" variant="light" role="status" title="Not there yet">
            <Stack gap={4}>
              <span>
                {found.records.length === 0
                  ? `${whitelabel.domain} has no CNAME record yet.`
                  : found.records.includes(whitelabel.cname_target)
                    ? `${whitelabel.domain} points at Tally.`
                    : `${whitelabel.domain} points at ${found.records.join(', ')}, not at ${whitelabel.cname_target}.`}
              </span>
              <span>
                {found.challenge
                  ? 'The TXT record is right.'
                  : `${whitelabel.challenge.host} has no TXT record with the value above yet.`}
              </span>
              <span>If you just added them, stay tuned: try again in a while.</span>
            </Stack>
          </Alert>
        ))}
    </Stack>
  );
}

/**
 * /credits/reseller/domain: a reseller names their domain, points its CNAME at Tally, proves it is
 * theirs with a TXT record, and checks both.
 */
export function ResellerDomainPage() {
  // No domain yet: the page starts with the first step.
  const whitelabel = useWhitelabel();
  // Where domains point, and why none can when this Tally's public address is the machine itself.
  const target = useResource('credits-whitelabel-target', () =>
    call(api.GET('/api/credits/whitelabel/target')),
  );
  const blocked = target.data?.problem ?? null;
  return (
    <ResellerFrame
      title="Your domain"
      description="Your customers buy and use your products on a domain of your own, pointed at Tally."
    >
      {() => (
        <ResourceView resource={whitelabel} loadingLabel="Loading your domain…">
          {(current) => (
            <Stack gap="lg">
              <SectionCard title="1. Your domain">
                <DomainForm
                  key={current?.domain ?? ''}
                  current={current}
                  onSaved={whitelabel.replace}
                  blocked={blocked}
                />
              </SectionCard>
              {current && (
                <SectionCard title="2. Point it at Tally" description="Then check that the DNS says so.">
                  <DnsSteps whitelabel={current} onChecked={whitelabel.replace} />
                </SectionCard>
              )}
            </Stack>
          )}
        </ResourceView>
      )}
    </ResellerFrame>
  );
}
