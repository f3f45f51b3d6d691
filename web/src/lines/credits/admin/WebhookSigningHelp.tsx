import { Code, List, Stack, Text } from '@mantine/core';

/** How a sales platform (or the small adapter in front of it) signs a purchase delivery. */
export function WebhookSigningHelp({ webhookUrl }: { webhookUrl: string }) {
  const example = [
    `SECRET='whsec_…'`,
    `BODY='{"order_id":"order-1001","email":"ada@example.com","product_id":"<product id>"}'`,
    'TS=$(date +%s)',
    `SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
    `curl -X POST '${webhookUrl}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "X-Tally-Timestamp: $TS" \\`,
    `  -H "X-Tally-Signature: sha256=$SIG" \\`,
    `  --data "$BODY"`,
  ].join('\n');
  return (
    <Stack gap="sm">
      <List type="ordered" spacing="xs" size="sm">
        <List.Item>
          POST the order as JSON to the integration's webhook address: <Code>order_id</Code>,{' '}
          <Code>email</Code>, <Code>product_id</Code> (the product's id, with a Copy button under Product ids
          on the Integrations page and on each product's page) and, optionally, the buyer's <Code>name</Code>.
        </List.Item>
        <List.Item>
          Put the current time in unix seconds in <Code>X-Tally-Timestamp</Code>; Tally refuses deliveries
          signed more than 5 minutes before or after its own clock.
        </List.Item>
        <List.Item>
          Compute the HMAC-SHA256, keyed with the integration's secret (the whole <Code>whsec_…</Code> text),
          of the timestamp, a dot, and the body's exact bytes; send it in hex as{' '}
          <Code>X-Tally-Signature: sha256=&lt;hex&gt;</Code>.
        </List.Item>
        <List.Item>
          A new order answers 201; the same <Code>order_id</Code> again answers 200 and changes nothing, so a
          delivery can be retried safely.
        </List.Item>
      </List>
      <Text size="sm" fw={500}>
        With a shell, for example:
      </Text>
      <Code block aria-label="Signing example" tabIndex={0}>
        {example}
      </Code>
    </Stack>
  );
}
