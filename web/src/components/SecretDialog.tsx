import { Alert, Button, Code, CopyButton, Group, Modal, type ModalProps, Stack, Text } from '@mantine/core';
import { type ReactNode, useId } from 'react';

/**
 * A secret shown once (a new API key, an integration's signing secret, a session key's token), in a
 * dialog that only "I have stored it" closes (UI.md): focus starts on Copy, and neither Esc, a click
 * outside nor a stray Enter closes it, since a secret closed away before it was stored is lost.
 */
export function SecretDialog({
  title,
  label,
  secret,
  warning,
  ifLost = 'revoke the key and create a new one',
  size = 'lg',
  onStored,
  children,
}: {
  title: string;
  /** What the secret is, as its label reads: `Secret`, `Signing secret`, `Bearer token`. */
  label: string;
  /** The secret; the dialog is open while there is one. */
  secret: string | null;
  /** The warning above the secret; by default, that it is shown once and what to do if it is lost. */
  warning?: ReactNode;
  /** What to do when the secret is lost, for the default warning. */
  ifLost?: string;
  size?: ModalProps['size'];
  onStored: () => void;
  /** What goes with the secret: where to use it, a ready-made configuration. */
  children?: ReactNode;
}) {
  const labelId = useId();
  const name = label.toLowerCase();
  return (
    <Modal
      opened={secret !== null}
      // Nothing but the button below closes it; Mantine still asks for this.
      onClose={() => {}}
      title={title}
      size={size}
      closeOnEscape={false}
      closeOnClickOutside={false}
      withCloseButton={false}
    >
      {secret !== null && (
        <Stack gap="md">
          <Alert color="yellow" variant="light" title="Copy it now">
            {warning ??
              `This is the only time Tally shows this ${name}. Store it somewhere safe; if it is lost, ${ifLost}.`}
          </Alert>
          <Stack gap={4}>
            <Text size="sm" fw={500} id={labelId}>
              {label}
            </Text>
            <Group gap="sm" wrap="nowrap" align="center">
              <Code
                block
                aria-labelledby={labelId}
                style={{ flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
              >
                {secret}
              </Code>
              <CopyButton value={secret}>
                {({ copied, copy }) => (
                  <Button
                    data-autofocus
                    type="button"
                    variant={copied ? 'light' : 'default'}
                    color={copied ? 'teal' : undefined}
                    onClick={copy}
                    aria-label={copied ? `${label} copied` : `Copy the ${name}`}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
          {children}
          <Group justify="flex-end">
            <Button type="button" onClick={onStored}>
              I have stored it
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
