import { Alert, Anchor, Button, FileInput, Group, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { api, call } from '../../../api/client';
import { ConfirmButton } from '../../../components/ConfirmButton';
import { type Column, DataTable } from '../../../components/DataTable';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { readablePlaceholder, useFocusFirstInvalid } from '../components/forms';
import { type Refusal, RefusalAlert } from '../components/RefusalAlert';
import { StateBadge } from '../components/StateBadge';
import { placeServerErrors, refusalOf } from '../components/serverErrors';
import { present, useOwnProvider } from '../data';
import { formatMoment } from '../format';
import { ProviderFrame } from '../GatewayTabs';
import type { GatewayKycDocument, GatewayKycDocumentKind, GatewayProvider } from '../types';
import { documentKindLabel, documentKinds, formatSize, kycNextStep } from './kycWords';
import { NotAProvider } from './ProviderPage';

/** What POST /api/files takes (it reads the type from the bytes). */
const ACCEPTED = 'application/pdf,image/png,image/jpeg,image/webp';
const MAX_BYTES = 10 * 1024 * 1024;

/** A file's address, for the provider (their own) and administrators. */
export const fileHref = (fileId: string) => `/api/files/${fileId}`;

export function DocumentsTable({
  documents,
  onRemove,
}: {
  documents: GatewayKycDocument[];
  onRemove?: (document: GatewayKycDocument) => Promise<void>;
}) {
  const columns: Column<GatewayKycDocument>[] = [
    {
      id: 'name',
      header: 'Document',
      cell: (d) => (
        <Anchor href={fileHref(d.file_id)} target="_blank" rel="noopener" size="sm">
          {d.name}
        </Anchor>
      ),
      sortValue: (d) => d.name,
    },
    { id: 'kind', header: 'Kind', cell: (d) => documentKindLabel(d.kind), sortValue: (d) => d.kind },
    { id: 'type', header: 'Type', nowrap: true, cell: (d) => d.content_type },
    {
      id: 'size',
      header: 'Size',
      align: 'right',
      nowrap: true,
      cell: (d) => formatSize(d.size),
      sortValue: (d) => d.size,
    },
    {
      id: 'added',
      header: 'Added',
      nowrap: true,
      cell: (d) => formatMoment(d.added_at),
      sortValue: (d) => d.added_at,
    },
    ...(onRemove
      ? [
          {
            id: 'actions',
            header: 'Actions',
            cell: (d: GatewayKycDocument) => (
              <ConfirmButton
                label="Remove"
                aria-label={`Remove ${d.name}`}
                question={`Remove “${d.name}” from your KYC?`}
                consequence="It is no longer part of what administrators review. You can upload it again."
                confirmLabel="Remove document"
                onConfirm={() => onRemove(d)}
              />
            ),
          },
        ]
      : []),
  ];
  return (
    <DataTable
      label="KYC documents"
      rows={documents}
      columns={columns}
      rowKey={(d) => d.file_id}
      minWidth={640}
    />
  );
}

function UploadForm({ onAdded }: { onAdded: (documents: GatewayKycDocument[]) => void }) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  const form = useForm({
    mode: 'controlled',
    initialValues: { kind: 'identity' as GatewayKycDocumentKind, file: null as File | null },
    validateInputOnChange: true,
    validate: {
      file: (file) => {
        if (!file) return 'Choose a PDF, PNG, JPEG or WebP file';
        if (file.size > MAX_BYTES) return 'The file is larger than 10 MB';
        return null;
      },
    },
  });
  const submit = form.onSubmit(async (values) => {
    setRefusal(null);
    if (!values.file) return;
    try {
      const body = new FormData();
      body.append('file', values.file, values.file.name);
      const stored = await call(api.POST('/api/files', { body: body as never }));
      const { documents } = await call(
        api.POST('/api/gateway/provider/kyc/documents', { body: { file_id: stored.id, kind: values.kind } }),
      );
      form.reset();
      onAdded(documents);
    } catch (error) {
      setRefusal(placeServerErrors(form, error, { file_id: 'file' }));
      focusFirstInvalid();
    }
  }, focusFirstInvalid);
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Add a KYC document">
      <Stack gap="md" maw={560}>
        <Select
          label="Kind"
          required
          allowDeselect={false}
          data={documentKinds}
          {...form.getInputProps('kind')}
        />
        <FileInput
          label="File"
          description="PDF, PNG, JPEG or WebP, up to 10 MB."
          required
          clearable
          accept={ACCEPTED}
          placeholder="Choose a file"
          styles={readablePlaceholder}
          {...form.getInputProps('file')}
        />
        <RefusalAlert refusal={refusal} />
        <Group>
          <Button type="submit" loading={form.submitting}>
            Upload and add
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Kyc({
  provider,
  onChanged,
}: {
  provider: GatewayProvider;
  onChanged: (p: GatewayProvider) => void;
}) {
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const editable = provider.kyc.state === 'none' || provider.kyc.state === 'rejected';
  const withDocuments = (documents: GatewayKycDocument[]) => onChanged({ ...provider, documents });
  const remove = async (document: GatewayKycDocument) => {
    const { documents } = await call(
      api.DELETE('/api/gateway/provider/kyc/documents/{id}', { params: { path: { id: document.file_id } } }),
    );
    withDocuments(documents);
  };
  const submitForReview = async () => {
    setRefusal(null);
    setSubmitting(true);
    try {
      onChanged(present(await call(api.POST('/api/gateway/provider/kyc/submit'))));
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setSubmitting(false);
    }
  };
  return (
    <Stack gap="lg">
      <SectionCard title="State" actions={<StateBadge state={provider.kyc.state} size="lg" />}>
        <Text size="sm" role="status">
          {kycNextStep(provider)}
        </Text>
        {provider.kyc.note && (
          <Alert
            color={provider.kyc.state === 'rejected' ? 'red' : 'blue'}
            variant="light"
            title="The reviewer's note"
          >
            {provider.kyc.note}
          </Alert>
        )}
      </SectionCard>
      <SectionCard
        title="Documents"
        description={
          editable
            ? 'What administrators review. You can add and remove documents until you submit.'
            : 'What administrators review.'
        }
        actions={
          editable && (
            <Button
              onClick={() => void submitForReview()}
              loading={submitting}
              disabled={provider.documents.length === 0}
            >
              Submit for review
            </Button>
          )
        }
      >
        {editable && provider.documents.length === 0 && (
          <Text size="sm" c="dimmed">
            Submitting needs at least one document.
          </Text>
        )}
        <RefusalAlert refusal={refusal} />
        {provider.documents.length === 0 ? (
          <NothingYet title="No document yet">
            Upload your first document below: an identity document is a good start.
          </NothingYet>
        ) : (
          <DocumentsTable documents={provider.documents} onRemove={editable ? remove : undefined} />
        )}
      </SectionCard>
      {editable && (
        <SectionCard title="Add a document">
          <UploadForm onAdded={withDocuments} />
        </SectionCard>
      )}
    </Stack>
  );
}

/** /gateway/provider/kyc: the provider's KYC documents, their state and the reviewer's note. */
export function KycPage() {
  const provider = useOwnProvider();
  return (
    <ProviderFrame
      title="KYC"
      description="Tally pays earnings only to providers whose identity an administrator has checked."
    >
      <ResourceView resource={provider} loadingLabel="Loading your KYC…">
        {(data) => (data ? <Kyc provider={data} onChanged={provider.replace} /> : <NotAProvider />)}
      </ResourceView>
    </ProviderFrame>
  );
}
