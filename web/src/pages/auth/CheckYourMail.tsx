import { Alert, Anchor, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';

/** What follows a request that sends mail: where the mail went, and where to read it on this Tally. */
export function CheckYourMail({ email, purpose }: { email: string; purpose: string }) {
  return (
    <Stack gap="sm" role="status">
      <Alert color="teal" variant="light" title="Check your mail">
        <Text size="sm">
          If <strong>{email}</strong> can receive it, a mail is on its way with a link to {purpose}. The link
          works once.
        </Text>
      </Alert>
      <Text size="sm">
        Running Tally on your own machine without a mail server? Its mail is kept in the{' '}
        <Anchor component={Link} to="/mailbox">
          Mailbox
        </Anchor>
        .
      </Text>
    </Stack>
  );
}
