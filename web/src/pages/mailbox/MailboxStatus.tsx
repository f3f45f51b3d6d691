import { Alert } from '@mantine/core';
import { api, call } from '../../api/client';
import { useResource } from '../../hooks/useResource';

/** Says what the Mailbox is on this Tally: the inbox itself (no SMTP), or an operator's record of sent mail. */
export function MailboxStatus() {
  const status = useResource('mail-status', () => call(api.GET('/api/mail/status')));
  if (!status.data) return null;
  return status.data.mailbox_enabled ? (
    <Alert variant="light" color="blue" title="This Tally sends no real mail">
      With no mail server configured, every mail Tally would send is kept here instead. Open one to follow its
      links — to confirm an address, reset a password or accept an invitation.
    </Alert>
  ) : (
    <Alert variant="light" color="gray" title="Mail goes out by SMTP">
      Mail reaches people's own inboxes; administrators see here what was sent and whether it was delivered.
    </Alert>
  );
}
