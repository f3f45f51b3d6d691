import { Stack } from '@mantine/core';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { CreatedApiKey } from '../../api/types';
import { PageHeader } from '../../components/PageHeader';
import { ResourceView } from '../../components/ResourceView';
import { SecretDialog } from '../../components/SecretDialog';
import { SectionCard } from '../../components/SectionCard';
import { NothingYet } from '../../components/States';
import { useResource } from '../../hooks/useResource';
import { ApiKeysTable } from './ApiKeysTable';
import { CreateApiKeyForm } from './CreateApiKeyForm';
import { SettingsTabs } from './SettingsTabs';

function NewKeyModal({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  return (
    <SecretDialog
      title={`API key “${created?.api_key.name ?? ''}” created`}
      label="Secret"
      secret={created?.secret ?? null}
      onStored={onClose}
    />
  );
}

export function ApiKeysPage() {
  const apiKeys = useResource('api-keys', async () => (await call(api.GET('/api/auth/api-keys'))).items);
  const scopes = useResource(
    'api-key-scopes',
    async () => (await call(api.GET('/api/auth/api-keys/scopes'))).items,
  );
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const revoke = async (id: string) => {
    await call(api.DELETE('/api/auth/api-keys/{id}', { params: { path: { id } } }));
    await apiKeys.reload();
  };
  const onCreated = (key: CreatedApiKey) => {
    setCreated(key);
    void apiKeys.reload();
  };

  return (
    <>
      <PageHeader
        title="Settings"
        description="API keys let your own servers call Tally's API as you, within the scopes you give them."
      />
      <SettingsTabs current="/settings/api-keys" />
      <Stack gap="lg">
        <SectionCard title="Your API keys">
          <ResourceView
            resource={apiKeys}
            loadingLabel="Loading your API keys…"
            isEmpty={(items) => items.length === 0}
            empty={
              <NothingYet title="No API keys yet">
                Create one below to call Tally's API from a server.
              </NothingYet>
            }
          >
            {(items) => <ApiKeysTable apiKeys={items} onRevoke={revoke} />}
          </ResourceView>
        </SectionCard>
        <SectionCard
          title="Create an API key"
          description="The secret is shown once, right after it is created."
        >
          <ResourceView resource={scopes} loadingLabel="Loading the scopes…">
            {(items) => <CreateApiKeyForm scopes={items} onCreated={onCreated} />}
          </ResourceView>
        </SectionCard>
      </Stack>
      <NewKeyModal created={created} onClose={() => setCreated(null)} />
    </>
  );
}
