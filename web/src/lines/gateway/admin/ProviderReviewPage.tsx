import { Alert, Anchor, Button, Group, Radio, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useResource } from '../../../hooks/useResource';
import { useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { placeServerErrors } from '../components/serverErrors';
import { present } from '../data';
import { formatMoment } from '../format';
import { AdminFrame } from '../GatewayTabs';
import { DocumentsTable } from '../provider/KycPage';
import type { GatewayProvider } from '../types';

export function ReviewForm({
  provider,
  onReviewed,
}: {
  provider: GatewayProvider;
  onReviewed: (p: GatewayProvider) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { decision: '' as '' | 'approved' | 'rejected', note: '' },
    validateInputOnChange: true,
    validate: {
      decision: (value) => (value ? null : 'Choose to approve or to reject'),
      note: (value, values) => {
        if (values.decision === 'rejected' && !value.trim()) {
          return 'Say why it is rejected, so the provider knows what to correct';
        }
        return value.length > 2000 ? 'Use at most 2,000 characters' : null;
      },
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    if (!values.decision) return;
    try {
      const reviewed = present(
        await call(
          api.POST('/api/gateway/providers/{id}/kyc', {
            params: { path: { id: provider.id } },
            body: { decision: values.decision, ...(values.note.trim() ? { note: values.note.trim() } : {}) },
          }),
        ),
      );
      notifications.show({
        color: 'teal',
        message: `The KYC of ${provider.name} is ${reviewed.kyc.state}; the provider is told.`,
      });
      onReviewed(reviewed);
    } catch (error) {
      setRefusal(placeServerErrors(form, error));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Review KYC">
      <Stack gap="md" maw={640}>
        <Radio.Group label="Decision" required {...form.getInputProps('decision')}>
          <Group gap="lg" mt={4}>
            <Radio value="approved" label="Approve: the documents prove who they are" />
            <Radio value="rejected" label="Reject: something is missing or wrong" />
          </Group>
        </Radio.Group>
        <Textarea
          label="Reason"
          description={
            form.values.decision === 'rejected'
              ? 'Required: the provider reads it, and uploads corrected documents.'
              : 'Optional for an approval; the provider reads it.'
          }
          required={form.values.decision === 'rejected'}
          autosize
          minRows={3}
          maxRows={8}
          {...form.getInputProps('note')}
        />
        <RefusalAlert refusal={refusal} />
        <Group gap="sm">
          <Button
            type="submit"
            loading={form.submitting}
            color={form.values.decision === 'rejected' ? 'red' : undefined}
          >
            {form.values.decision === 'rejected'
              ? 'Reject KYC'
              : form.values.decision === 'approved'
                ? 'Approve KYC'
                : 'Record decision'}
          </Button>
          <Text size="xs" c="dimmed">
            An approval is final; a rejected provider can submit again.
          </Text>
        </Group>
      </Stack>
    </form>
  );
}

function Review({
  provider,
  onReviewed,
}: {
  provider: GatewayProvider;
  onReviewed: (p: GatewayProvider) => void;
}) {
  return (
    <Stack gap="lg">
      <SectionCard title="Provider" actions={<StateBadge state={provider.kyc.state} size="lg" />}>
        <Facts
          facts={[
            { label: 'Name', value: provider.name },
            {
              label: 'Payout address',
              value: <CopyValue value={provider.payout_address} label="Payout address" />,
            },
            { label: 'Provider since', value: formatMoment(provider.created_at) },
            { label: 'Submitted', value: formatMoment(provider.kyc.submitted_at, 'not yet') },
            { label: 'Reviewed', value: formatMoment(provider.kyc.reviewed_at, 'not yet') },
          ]}
        />
        {provider.kyc.note && (
          <Alert
            color={provider.kyc.state === 'rejected' ? 'red' : 'blue'}
            variant="light"
            title="Note to the provider"
          >
            {provider.kyc.note}
          </Alert>
        )}
      </SectionCard>
      <SectionCard title="Documents" description="Open each before deciding.">
        {provider.documents.length === 0 ? (
          <NothingYet title="No document">The provider has not added any document.</NothingYet>
        ) : (
          <DocumentsTable documents={provider.documents} />
        )}
      </SectionCard>
      <SectionCard title="Decision">
        {provider.kyc.state === 'submitted' ? (
          <ReviewForm provider={provider} onReviewed={onReviewed} />
        ) : (
          <Text size="sm" role="status">
            {provider.kyc.state === 'none'
              ? 'Nothing to review: the provider has not submitted documents yet.'
              : provider.kyc.state === 'rejected'
                ? 'Rejected: the provider can correct the documents and submit them again.'
                : 'Approved: this decision is final.'}
          </Text>
        )}
      </SectionCard>
    </Stack>
  );
}

/** /gateway/admin/providers/:providerId: one provider's KYC documents and the review. */
export function ProviderReviewPage() {
  const { providerId = '' } = useParams();
  const provider = useResource(`gateway-provider-review:${providerId}`, async () =>
    present(await call(api.GET('/api/gateway/providers/{id}', { params: { path: { id: providerId } } }))),
  );
  return (
    <AdminFrame
      title={provider.data ? `KYC of ${provider.data.name}` : 'KYC review'}
      description={
        <Anchor component={Link} to="/gateway/admin/kyc">
          All providers waiting for review
        </Anchor>
      }
    >
      <ResourceView resource={provider} loadingLabel="Loading the provider…">
        {(data) => <Review provider={data} onReviewed={provider.replace} />}
      </ResourceView>
    </AdminFrame>
  );
}
