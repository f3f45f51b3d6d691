import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** A secret shown once (a new API key), with a copy button and the warning that it will not be shown again. */
export function SecretReveal({
  label,
  secret,
  ifLost = 'revoke the key and create a new one',
}: {
  label: string;
  secret: string;
  /** What to do when the secret is lost. */
  ifLost?: string;
}) {
  return (
    <Stack gap="sm">
      <Alert color="yellow" variant="light" title="Copy it now">
        This is the only time Tally shows this secret. Store it somewhere safe; if it is lost, {ifLost}.
      </Alert>
      <Text size="sm" fw={500} id="secret-label">
        {label}
      </Text>
      <Group gap="sm" wrap="nowrap" align="center">
        <Code block aria-labelledby="secret-label" style={{ flex: 1, wordBreak: 'break-all' }}>
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button
              variant={copied ? 'filled' : 'default'}
              color={copied ? 'teal' : undefined}
              onClick={copy}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
