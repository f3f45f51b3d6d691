import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsWhitelabel } from '../../../api/types';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { useResource } from '../../../hooks/useResource';
import { showServerErrors } from '../../../lib/serverErrors';
import { DomainState } from './ResellerDomainStatus';
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
  development,
}: {
  current: CreditsWhitelabel | null;
  onSaved: (whitelabel: CreditsWhitelabel) => void;
  /** Why no domain can point at this Tally (its public address is this machine); null when one can. */
  blocked: string | null;
  /** A development Tally: it takes names under .localhost, and only those. */
  development: boolean;
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
          description={`Where your customers will reach your product, such as ${development ? 'acme.localhost' : 'app.example.com'}.`}
          required
          maw={420}
          {...form.getInputProps('domain')}
        />
        {current && (
          <Text size="sm" c="dimmed">
            Changing the domain starts a new claim, with a new TXT value: the new name must point at Tally and
            be proven yours too, and the current one stops serving your customers.
          </Text>
        )}
        <FormErrorAlert message={formError} />
        {development && (
          <Alert color="blue" variant="light" role="note" title="A development Tally">
            On this development Tally, use a name like acme.localhost: names under .localhost reach this
            machine by definition, so your domain is live at once, with no DNS records to add.
          </Alert>
        )}
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

/** How often the page asks again while the domain waits on a check (any state but live). */
export const DOMAIN_REFRESH_MS = 10_000;

/**
 * /credits/reseller/domain: a reseller names their domain, points its CNAME at Tally, proves it is
 * theirs with a TXT record, and follows its state as Tally's checks move it (pending, verified, live,
 * suspended), with what to do next in each.
 */
export function ResellerDomainPage() {
  // No domain yet: the page starts with the first step.
  const whitelabel = useWhitelabel({ refreshEveryMs: DOMAIN_REFRESH_MS });
  // Where domains point, and why none can when this Tally's public address is the machine itself.
  const target = useResource('credits-whitelabel-target', () =>
    call(api.GET('/api/credits/whitelabel/target')),
  );
  const development = target.data?.development ?? false;
  // A development Tally takes .localhost names, so its form stays open.
  const blocked = development ? null : (target.data?.problem ?? null);
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
                  development={development}
                />
              </SectionCard>
              {current && (
                <SectionCard
                  title="2. Point it at Tally"
                  description="Where your domain stands, and what to do next."
                >
                  <DomainState whitelabel={current} onChecked={whitelabel.replace} />
                </SectionCard>
              )}
            </Stack>
          )}
        </ResourceView>
      )}
    </ResellerFrame>
  );
}
