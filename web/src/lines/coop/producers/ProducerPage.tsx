import {
  Anchor,
  Button,
  FileInput,
  Group,
  Image,
  MultiSelect,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api, call } from '../../../api/client';
import { asApiError } from '../../../api/errors';
import type { CoopEditorPolicy, CoopProducer, Member } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';
import { Facts } from '../../../components/Facts';
import { FormErrorAlert } from '../../../components/FormErrorAlert';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { usePageTitle } from '../../../components/usePageTitle';
import { useResource } from '../../../hooks/useResource';
import { useSignedInUser } from '../../../session/SessionContext';
import { ClubFrame, useClub, useClubMembers, useCoopRefresh } from '../club/ClubLayout';
import { COOP, editorPolicyLabels, inGroupsOfFour } from '../format';
import { ProductForm } from '../products/ProductForm';
import { useCategories } from '../products/ProductsPage';
import { ProductsTable } from '../products/ProductsTable';
import { ImportProducts } from './ImportProducts';
import { ProducerDetailsForm } from './ProducerDetailsForm';

const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

const memberLabel = (m: Member) => (m.name ? `${m.name} (${m.email ?? 'wallet'})` : (m.email ?? m.user_id));

function namesOf(ids: string[], members: Member[] | undefined, me: string): string {
  if (ids.length === 0) return 'Nobody yet';
  return ids
    .map((id) => (id === me ? 'You' : (members?.find((m) => m.user_id === id)?.name ?? 'A former member')))
    .join(', ');
}

function PhotoForm({ producer }: { producer: CoopProducer }) {
  const refresh = useCoopRefresh();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  const choose = (chosen: File | null) => {
    setFile(chosen);
    if (!chosen) return setFileError(null);
    if (!PHOTO_TYPES.includes(chosen.type)) return setFileError('Choose a PNG, JPEG or WebP image');
    if (chosen.size > PHOTO_MAX_BYTES) return setFileError('The image is larger than 5 MB');
    setFileError(null);
  };
  const upload = async () => {
    if (!file || fileError) {
      setFileError(fileError ?? 'Choose a photo first');
      return;
    }
    setBusy(true);
    try {
      const body = new FormData();
      body.append('file', file, file.name);
      await call(
        api.PUT('/api/coop/producers/{id}/photo', {
          params: { path: { id: producer.id } },
          body: body as never,
        }),
      );
      setFile(null);
      await refresh();
      notifications.show({ color: 'teal', message: `${producer.name}’s photo is saved.` });
    } catch (thrown) {
      setFileError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm">
        <FileInput
          label="Photo"
          description="PNG, JPEG or WebP, up to 5 MB."
          accept={PHOTO_TYPES.join(',')}
          placeholder="Choose an image"
          clearable
          value={file}
          onChange={choose}
          error={fileError}
          w={320}
        />
        <Button onClick={() => void upload()} loading={busy} disabled={!file || fileError !== null}>
          {producer.has_photo ? 'Replace the photo' : 'Save the photo'}
        </Button>
      </Group>
      {preview && !fileError && (
        <Stack gap={4}>
          <Text size="sm" c="dimmed">
            How it will look:
          </Text>
          <Image
            src={preview}
            alt={`New photo of ${producer.name}, not saved yet`}
            w={240}
            h={160}
            fit="cover"
            radius="md"
          />
        </Stack>
      )}
    </Stack>
  );
}

function LiaisonForm({ producer, members }: { producer: CoopProducer; members: Member[] }) {
  const refresh = useCoopRefresh();
  const [userId, setUserId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = members.filter((m) => m.user_id !== producer.liaison.user_id);
  const handOver = async () => {
    if (!userId) {
      setError('Choose who becomes the liaison.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const updated = await call(
        api.POST('/api/coop/producers/{id}/liaison', {
          params: { path: { id: producer.id } },
          body: { user_id: userId },
        }),
      );
      setUserId(null);
      await refresh();
      notifications.show({
        color: 'teal',
        message: `${updated.liaison.name} is ${producer.name}’s liaison now.`,
      });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="sm" maw={480}>
      <Select
        label="New liaison"
        placeholder={others.length === 0 ? 'Nobody else is in the club' : 'Choose a member'}
        data={others.map((m) => ({ value: m.user_id, label: memberLabel(m) }))}
        value={userId}
        onChange={setUserId}
        searchable
        disabled={others.length === 0}
      />
      <FormErrorAlert message={error} />
      <Group>
        <Button
          variant="default"
          onClick={() => void handOver()}
          loading={busy}
          disabled={others.length === 0}
        >
          Hand over
        </Button>
      </Group>
    </Stack>
  );
}

function PeopleForm({ producer, members }: { producer: CoopProducer; members: Member[] }) {
  const refresh = useCoopRefresh();
  const [policy, setPolicy] = useState<CoopEditorPolicy>(producer.editor_policy);
  const [editors, setEditors] = useState<string[]>(producer.editors);
  const [sorters, setSorters] = useState<string[]>(producer.sorters);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const options = members.map((m) => ({ value: m.user_id, label: memberLabel(m) }));
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await call(
        api.PATCH('/api/coop/producers/{id}', {
          params: { path: { id: producer.id } },
          body: { editor_policy: policy, editors: policy === 'members' ? editors : [], sorters },
        }),
      );
      await refresh();
      notifications.show({ color: 'teal', message: 'Who edits and sorts is saved.' });
    } catch (thrown) {
      setError(asApiError(thrown).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="md" maw={560}>
      <Radio.Group
        label="Who edits its products, besides the liaison"
        value={policy}
        onChange={(value) => setPolicy(value as CoopEditorPolicy)}
      >
        <Stack gap={6} mt={6}>
          {(Object.keys(editorPolicyLabels) as CoopEditorPolicy[]).map((value) => (
            <Radio key={value} value={value} label={editorPolicyLabels[value]} />
          ))}
        </Stack>
      </Radio.Group>
      {policy === 'members' && (
        <MultiSelect
          label="Editors"
          placeholder={editors.length === 0 ? 'Choose members' : undefined}
          data={options}
          value={editors}
          onChange={setEditors}
          searchable
          clearable
        />
      )}
      <MultiSelect
        label="Sorters"
        description="Who receives, checks and sorts its deliveries."
        placeholder={sorters.length === 0 ? 'Choose members' : undefined}
        data={options}
        value={sorters}
        onChange={setSorters}
        searchable
        clearable
      />
      <FormErrorAlert message={error} />
      <Group>
        <Button variant="default" onClick={() => void save()} loading={busy}>
          Save who edits and sorts
        </Button>
      </Group>
    </Stack>
  );
}

/** Where the club pays a producer, for those who see it (its liaison, the Admin, the bookkeeper). */
function paidTo(producer: CoopProducer) {
  if (!producer.iban)
    return 'No IBAN yet: its liaison adds one below, so the bookkeeper can pay its invoices.';
  return (
    <CopyValue
      value={`${producer.account_holder || producer.name}, ${inGroupsOfFour(producer.iban)}`}
      label={`Account of ${producer.name}`}
    />
  );
}

function ProducerView({ producer }: { producer: CoopProducer }) {
  const { club, can } = useClub();
  const user = useSignedInUser();
  const refresh = useCoopRefresh();
  const members = useClubMembers(club.id);
  const categories = useCategories(club.id);
  const { runs, edits_products: edits } = producer.my_rights;
  const products = useResource(
    `coop-products:${club.id}:producer:${producer.id}`,
    async () =>
      (
        await call(
          api.GET('/api/coop/clubs/{id}/products', {
            params: { path: { id: club.id }, query: { producer_id: producer.id } },
          }),
        )
      ).items,
  );
  const liaison =
    producer.liaison.user_id === user.id ? `You (${producer.liaison.name})` : producer.liaison.name;
  return (
    <ClubFrame
      title={producer.name}
      trail={[{ label: 'Producers', to: `/coop/clubs/${club.id}/producers` }]}
      description={[producer.location, `Liaison: ${liaison}`].filter(Boolean).join(' · ')}
    >
      <Stack gap="lg">
        <SectionCard title="About">
          <SimpleGrid cols={{ base: 1, sm: producer.has_photo ? 2 : 1 }} spacing="lg">
            {producer.has_photo && (
              <Image
                src={`/api/coop/producers/${producer.id}/photo?v=${encodeURIComponent(producer.updated_at)}`}
                alt={`Photo of ${producer.name}`}
                radius="md"
                mah={260}
                fit="cover"
              />
            )}
            <Stack gap="md">
              <Facts
                facts={[
                  { label: 'Liaison', value: liaison },
                  {
                    label: 'Contact email',
                    value: producer.contact_email ? (
                      <Anchor href={`mailto:${producer.contact_email}`} inherit>
                        {producer.contact_email}
                      </Anchor>
                    ) : (
                      'Not given'
                    ),
                  },
                  {
                    label: 'Phone',
                    value: producer.phone_number ? (
                      <Anchor href={`tel:${producer.phone_number}`} inherit>
                        {producer.phone_number}
                      </Anchor>
                    ) : (
                      'Not given'
                    ),
                  },
                  { label: 'Location', value: producer.location || 'Not given' },
                  {
                    label: 'Who edits its products',
                    value:
                      producer.editor_policy === 'members'
                        ? `The liaison, and ${namesOf(producer.editors, members.data, user.id)}`
                        : producer.editor_policy === 'all_members'
                          ? 'Every member of the club'
                          : 'Only the liaison',
                  },
                  { label: 'Sorters', value: namesOf(producer.sorters, members.data, user.id) },
                  ...(runs || can(COOP.books) ? [{ label: 'Paid to', value: paidTo(producer) }] : []),
                ]}
              />
              {producer.details && (
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {producer.details}
                </Text>
              )}
            </Stack>
          </SimpleGrid>
        </SectionCard>
        <SectionCard
          title="Products"
          description="At the price a member pays, VAT included."
          actions={
            <Button
              component="a"
              href={`/api/coop/producers/${producer.id}/products.csv`}
              download
              variant="default"
              size="xs"
            >
              Download as CSV
            </Button>
          }
        >
          <ResourceView
            resource={products}
            loadingLabel="Loading the products…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No product yet">
                {edits
                  ? 'Add the first one below, one by one or from a spreadsheet saved as CSV.'
                  : `${producer.liaison.name}, the liaison, adds ${producer.name}’s products.`}
              </NothingYet>
            }
          >
            {(items) => (
              <ProductsTable
                products={items}
                clubId={club.id}
                showProducer={false}
                label={`Products of ${producer.name}`}
              />
            )}
          </ResourceView>
        </SectionCard>
        {edits && (
          <SectionCard
            title="Add a product"
            description="Members see it in the catalogue as soon as it is saved."
          >
            <ProductForm
              categories={(categories.data ?? []).map((c) => c.category)}
              submitLabel="Add the product"
              onSubmit={async (fields) => {
                await call(
                  api.POST('/api/coop/producers/{id}/products', {
                    params: { path: { id: producer.id } },
                    body: fields,
                  }),
                );
                await refresh();
                notifications.show({ color: 'teal', message: `${fields.name} is added.` });
              }}
            />
          </SectionCard>
        )}
        {edits && (
          <SectionCard
            title="Import products from CSV"
            description="Check a spreadsheet first; save it when every row is right."
          >
            <ImportProducts producer={producer} />
          </SectionCard>
        )}
        {runs && (
          <SectionCard
            title="Details"
            description="As the liaison (or the club’s Admin) you keep these up to date."
          >
            <ProducerDetailsForm
              producer={producer}
              submitLabel="Save the details"
              onSubmit={async (details) => {
                await call(
                  api.PATCH('/api/coop/producers/{id}', {
                    params: { path: { id: producer.id } },
                    body: details,
                  }),
                );
                await refresh();
                notifications.show({ color: 'teal', message: `${details.name}’s details are saved.` });
              }}
            />
          </SectionCard>
        )}
        {runs && (
          <SectionCard title="Photo" description="Shown to the club’s members on this page.">
            <PhotoForm producer={producer} />
          </SectionCard>
        )}
        {runs && members.data && (
          <SectionCard title="Who edits and sorts">
            <PeopleForm key={producer.updated_at} producer={producer} members={members.data} />
          </SectionCard>
        )}
        {runs && members.data && (
          <SectionCard
            title="Hand the liaison role over"
            description="The new liaison runs this producer from then on; you keep what your policy above gives you."
          >
            <LiaisonForm producer={producer} members={members.data} />
          </SectionCard>
        )}
      </Stack>
    </ClubFrame>
  );
}

/** /coop/clubs/:clubId/producers/:producerId: a producer, its products, and running it (its liaison). */
export function ProducerPage() {
  usePageTitle('Producer');
  const { producerId = '' } = useParams();
  const producer = useResource(`coop-producer:${producerId}`, () =>
    call(api.GET('/api/coop/producers/{id}', { params: { path: { id: producerId } } })),
  );
  return (
    <ResourceView resource={producer} loadingLabel="Loading the producer…">
      {(data) => <ProducerView producer={data} />}
    </ResourceView>
  );
}
