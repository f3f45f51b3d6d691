import { Alert, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import type { WebLine } from '../../lines/types';

/** A line's place in the navigation until its own pages land: what it is, and plainly, that it is not here yet. */
export function ProductLinePage({ line }: { line: WebLine }) {
  return (
    <Stack gap="lg" maw={820}>
      <PageHeader title={line.name} description={line.tagline} />
      <Alert variant="light" color="blue" title={`The ${line.name} pages are not built yet`}>
        There is nothing to do in {line.name} from the web app today. This page says what it will do; its own
        pages will appear here as they are built.
      </Alert>
      <Text>{line.summary}</Text>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            For whom
          </Title>
          <Text>{line.people}</Text>
          <Title order={2} size="h4">
            What it will let you do
          </Title>
          <List spacing="xs">
            {line.capabilities.map((capability) => (
              <List.Item key={capability}>{capability}</List.Item>
            ))}
          </List>
        </Stack>
      </Card>
      <Group>
        <Button component={Link} to="/" variant="default">
          Back to all product lines
        </Button>
      </Group>
    </Stack>
  );
}
