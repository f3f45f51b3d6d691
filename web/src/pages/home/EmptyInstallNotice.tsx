import { Alert, Code, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

/** On a Tally nobody has used yet, says how to fill it with demo data to look around. */
export function EmptyInstallNotice() {
  const { data } = useQuery({
    queryKey: ['install'],
    queryFn: () => call(api.GET('/api/install')),
    staleTime: 60_000,
  });
  if (!data?.empty) return null;
  return (
    <Alert title="This Tally is empty" color="blue" maw={720}>
      <Text size="sm">
        To look around with products, people, workspaces and a month of activity, run{' '}
        <Code>{data.demo_command}</Code> in Tally’s folder (with the embedded database, stop Tally first),
        then log in as an administrator created with{' '}
        <Code>npm run tally -- admin create --email you@example.com</Code>.
      </Text>
    </Alert>
  );
}
