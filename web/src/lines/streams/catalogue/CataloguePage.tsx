import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../../api/client';
import type { StreamsProducerListing } from '../../../api/types';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { plural } from '../format';
import { StreamsFrame } from '../StreamsFrame';

const PAGE_SIZE = 24;

function ProducerCard({ producer }: { producer: StreamsProducerListing }) {
  return (
    <Card withBorder padding="lg" component="article" aria-label={producer.name}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={3} size="h4" style={{ overflowWrap: 'anywhere' }}>
            <Anchor component={Link} to={`/streams/producers/${producer.id}`} inherit>
              {producer.name}
            </Anchor>
          </Title>
          <Badge variant="light" color={producer.open_plans > 0 ? 'teal' : 'gray'} style={{ flexShrink: 0 }}>
            {producer.open_plans === 0 ? 'No open plan' : plural(producer.open_plans, 'open plan')}
          </Badge>
        </Group>
        {producer.site && (
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {producer.site}
          </Text>
        )}
        {producer.description && (
          <Text size="sm" lineClamp={3}>
            {producer.description}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** /streams: the producers a consumer can subscribe to, searched by a word, a page at a time. */
export function CataloguePage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search')?.trim() ?? '';
  const [typed, setTyped] = useState(search);
  const pages = useCursorPages<StreamsProducerListing>(`streams-producers:${search}`, async (after) => {
    const page = await call(
      api.GET('/api/streams/producers', {
        params: { query: { ...(search ? { search } : {}), ...(after ? { after } : {}), limit: PAGE_SIZE } },
      }),
    );
    return { items: page.items, next_cursor: page.next };
  });
  return (
    <StreamsFrame
      title="Streams"
      description="Subscribe to a producer’s plan and pay by the second, in tokens that flow from your wallet to theirs."
      actions={
        <Button component={Link} to="/streams/producer" variant="default">
          Your producer page
        </Button>
      }
    >
      <SectionCard title="Producers" description="Choose a producer to see its plans.">
        <form
          aria-label="Search producers"
          onSubmit={(event) => {
            event.preventDefault();
            const word = typed.trim();
            setParams(word ? { search: word } : {});
          }}
        >
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Search producers"
              description="A word of their name, site or description."
              type="search"
              value={typed}
              onChange={(event) => setTyped(event.currentTarget.value)}
              w={320}
            />
            <Button type="submit" variant="default">
              Search
            </Button>
          </Group>
        </form>
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading producers…"
          isEmpty={(page) => page.items.length === 0}
          empty={
            search ? (
              <NothingYet title={`No producer matches “${search}”`}>
                Try another word, or{' '}
                <Anchor component={Link} to="/streams">
                  see every producer
                </Anchor>
                .
              </NothingYet>
            ) : (
              <NothingYet
                title="No producer yet"
                action={
                  <Button component={Link} to="/streams/producer" variant="default">
                    Become a producer
                  </Button>
                }
              >
                Producers appear here once they register; their plans once they publish them.
              </NothingYet>
            )
          }
        >
          {() => (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
                {pages.items.map((producer) => (
                  <ProducerCard key={producer.id} producer={producer} />
                ))}
              </SimpleGrid>
              <LoadOlder pages={pages} label="More producers" />
            </Stack>
          )}
        </ResourceView>
      </SectionCard>
    </StreamsFrame>
  );
}
