import { Button, Code, CopyButton, Group } from '@mantine/core';

/** A value to copy (an endpoint, an address), whole, with a button that names what it copies. */
export function CopyValue({
  value,
  label,
  block = false,
}: {
  value: string;
  label: string;
  block?: boolean;
}) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Code
        block={block}
        aria-label={label}
        style={{ wordBreak: 'break-all', minWidth: 0, flex: block ? 1 : undefined }}
      >
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button
            size="compact-xs"
            variant={copied ? 'light' : 'subtle'}
            color={copied ? 'teal' : undefined}
            onClick={copy}
            aria-label={copied ? `${label} copied` : `Copy ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
            style={{ flexShrink: 0 }}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
