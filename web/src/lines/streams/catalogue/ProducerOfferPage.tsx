import { Anchor, Button, SimpleGrid, Stack } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { Facts } from '../../../components/Facts';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useProducerOffer } from '../data';
import { PlanCard, planCardView } from '../plans/PlanCard';
import { StreamsFrame } from '../StreamsFrame';

/** The site a producer gave, as a link when it is one (it may be a street address). */
function SiteValue({ site }: { site: string }) {
  if (!/^https?:\/\//i.test(site)) return <>{site}</>;
  return (
    <Anchor href={site} target="_blank" rel="noreferrer" inherit>
      {site}
    </Anchor>
  );
}

/** /streams/producers/:producerId: a producer and the plans it takes subscribers for now. */
export function ProducerOfferPage() {
  const { producerId = '' } = useParams();
  const offer = useProducerOffer(producerId);
  return (
    <StreamsFrame
      title={offer.data?.producer.name ?? 'Producer'}
      description={offer.data?.producer.description || undefined}
    >
      <ResourceView resource={offer} loadingLabel="Loading the producer…">
        {({ producer, plans }) => (
          <Stack gap="lg">
            {producer.site && (
              <Facts facts={[{ label: 'Site or address', value: <SiteValue site={producer.site} /> }]} />
            )}
            <SectionCard
              title="Plans"
              description="Each plan streams its token from your wallet to the producer’s, by the second."
            >
              {plans.length === 0 ? (
                <NothingYet title="No open plan">
                  {producer.name} takes no subscribers now: come back once it publishes a plan.
                </NothingYet>
              ) : (
                <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
                  {plans.map((plan) => (
                    <PlanCard
                      key={plan.id}
                      view={planCardView(plan)}
                      footer={
                        <Button component={Link} to={`/streams/plans/${plan.id}/checkout`}>
                          Subscribe
                        </Button>
                      }
                    />
                  ))}
                </SimpleGrid>
              )}
            </SectionCard>
          </Stack>
        )}
      </ResourceView>
    </StreamsFrame>
  );
}
