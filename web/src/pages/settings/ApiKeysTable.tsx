import { Badge, Code, Group, Table, Text } from '@mantine/core';
import type { ApiKey } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formatDateTime } from '../../lib/dates';
import { apiKeyState, apiKeyStateColors } from './apiKeyState';

function ApiKeyRow({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: () => Promise<void> }) {
  const state = apiKeyState(apiKey);
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {apiKey.name}
        </Text>
        <Code>{apiKey.prefix}…</Code>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {apiKey.scopes.length === 0 ? (
            <Text size="sm" c="dimmed">
              none
            </Text>
          ) : (
            apiKey.scopes.map((scope) => (
              <Badge key={scope} variant="outline" color="gray" tt="none">
                {scope}
              </Badge>
            ))
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={apiKeyStateColors[state]}>
          {state}
        </Badge>
      </Table.Td>
      <Table.Td>{formatDateTime(apiKey.created_at)}</Table.Td>
      <Table.Td>{formatDateTime(apiKey.last_used_at)}</Table.Td>
      <Table.Td>{formatDateTime(apiKey.expires_at)}</Table.Td>
      <Table.Td>
        {state === 'active' && (
          <Group justify="flex-end">
            <ConfirmButton
              label="Revoke"
              question={`Revoke “${apiKey.name}”?`}
              consequence="Every request made with this key will be refused from now on. This cannot be undone."
              confirmLabel="Revoke key"
              onConfirm={onRevoke}
            />
          </Group>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

export function ApiKeysTable({
  apiKeys,
  onRevoke,
}: {
  apiKeys: ApiKey[];
  onRevoke: (id: string) => Promise<void>;
}) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {apiKeys.map((apiKey) => (
            <ApiKeyRow key={apiKey.id} apiKey={apiKey} onRevoke={() => onRevoke(apiKey.id)} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
