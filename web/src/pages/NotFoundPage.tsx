import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { usePageTitle } from '../components/usePageTitle';

export function NotFoundPage() {
  usePageTitle('Page not found');
  const { pathname } = useLocation();
  return (
    <Stack maw={560} py="xl" gap="md">
      <Text c="dimmed" fw={700}>
        404
      </Text>
      <Title order={1}>This page does not exist</Title>
      <Text>
        Nothing in Tally lives at <code>{pathname}</code>. The link may be mistyped, or the page may have
        moved.
      </Text>
      <Group>
        <Button component={Link} to="/">
          Go to the home page
        </Button>
      </Group>
    </Stack>
  );
}
