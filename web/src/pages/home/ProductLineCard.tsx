import { Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { WebLine } from '../../lines/types';

export function ProductLineCard({ line }: { line: WebLine }) {
  return (
    <Card withBorder padding="lg" component="article" aria-labelledby={`line-${line.slug}`}>
      <Stack gap="sm" h="100%">
        <Group justify="space-between" align="center">
          <Title order={2} size="h3" id={`line-${line.slug}`}>
            {line.name}
          </Title>
          {!line.routes && (
            <Badge variant="light" color="gray">
              Pages coming
            </Badge>
          )}
        </Group>
        <Text fw={600}>{line.tagline}</Text>
        <Text size="sm" style={{ flex: 1 }}>
          {line.summary}
        </Text>
        <Group>
          <Button component={Link} to={`/${line.slug}`} variant="light">
            {line.routes ? `Open ${line.name}` : `What ${line.name} will do`}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
