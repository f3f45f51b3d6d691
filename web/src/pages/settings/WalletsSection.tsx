import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useConnection } from 'wagmi';
import { api, call } from '../../api/client';
import type { User } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { SectionCard } from '../../components/SectionCard';
import { formatDateTime } from '../../lib/dates';
import { useSession } from '../../session/SessionContext';

export function WalletsSection({ user }: { user: User }) {
  const { signedIn } = useSession();
  const connection = useConnection();
  const connectedHere = (address: string) => connection.address?.toLowerCase() === address.toLowerCase();
  const unlink = async (address: string) => {
    const updated = await call(api.DELETE('/api/auth/wallets/{address}', { params: { path: { address } } }));
    signedIn(updated.user);
  };

  return (
    <SectionCard
      title="Wallets"
      description="Ethereum addresses that can sign you in (Sign-In with Ethereum)."
      actions={
        <Button component={Link} to="/login/wallet" variant="default" size="xs">
          Link a wallet
        </Button>
      }
    >
      {user.wallets.length === 0 ? (
        <Text size="sm">
          No wallet is linked yet. Link one to sign in by signing a message instead of a password.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Address</Table.Th>
                <Table.Th>Linked</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {user.wallets.map((wallet) => (
                <Table.Tr key={wallet.address}>
                  <Table.Td>
                    <Group gap="xs">
                      <Code>{wallet.address}</Code>
                      {connectedHere(wallet.address) && (
                        <Badge variant="light" color="teal" size="sm">
                          connected here
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatDateTime(wallet.linked_at)}</Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <ConfirmButton
                        label="Unlink"
                        question="Unlink this wallet?"
                        consequence="It will no longer sign you in. You can link it again later."
                        confirmLabel="Unlink wallet"
                        onConfirm={() => unlink(wallet.address)}
                      />
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </SectionCard>
  );
}
