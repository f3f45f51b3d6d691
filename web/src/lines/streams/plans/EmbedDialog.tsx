import { Alert, Box, Modal, Stack, Text } from '@mantine/core';
import type { StreamsPlan } from '../../../api/types';
import { CopyValue } from '../../../components/CopyValue';

/** The widget's size, as widget.js makes it (src/streams/widget/script.ts). */
const WIDTH = 360;
const HEIGHT = 440;

const attribute = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The two ways to put a plan's card on another site, pointing at the Tally this page came from. */
export function embedSnippets(plan: Pick<StreamsPlan, 'id' | 'name'>, origin: string) {
  const widgetUrl = `${origin}/api/streams/plans/${plan.id}/widget`;
  return {
    widgetUrl,
    iframe: `<iframe src="${widgetUrl}" title="${attribute(`${plan.name}, a plan on Tally`)}" width="${WIDTH}" height="${HEIGHT}" loading="lazy" style="border:0;max-width:100%"></iframe>`,
    script: `<script src="${origin}/api/streams/widget.js" data-plan="${plan.id}" async></script>`,
  };
}

/** "Embed": the plan's card for the producer's own site, as an iframe or a script tag, with a live preview. */
export function EmbedDialog({ plan, onClose }: { plan: StreamsPlan | null; onClose: () => void }) {
  const snippets = plan && embedSnippets(plan, window.location.origin);
  return (
    <Modal opened={plan !== null} onClose={onClose} title={plan ? `Embed ${plan.name}` : 'Embed'} size="lg">
      {plan && snippets && (
        <Stack gap="md">
          <Text size="sm">
            Paste one of these into your site’s HTML. The card shows the plan’s colour, image and price, and
            its Subscribe button opens Tally’s checkout in a new tab. It sets no cookie and runs no tracking.
          </Text>
          {!plan.open && (
            <Alert color="blue" variant="light">
              This plan takes no subscribers now, so the card says so instead of showing the Subscribe button.
            </Alert>
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              As an iframe
            </Text>
            <CopyValue value={snippets.iframe} label="Iframe snippet" block />
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              As a script tag
            </Text>
            <CopyValue value={snippets.script} label="Script tag snippet" block />
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Preview
            </Text>
            <Box
              component="iframe"
              src={snippets.widgetUrl}
              title={`Preview of the card of ${plan.name}`}
              width={WIDTH}
              height={HEIGHT}
              loading="lazy"
              style={{ border: 0, maxWidth: '100%' }}
            />
          </Stack>
        </Stack>
      )}
    </Modal>
  );
}
