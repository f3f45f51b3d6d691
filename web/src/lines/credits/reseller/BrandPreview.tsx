import { Anchor, Box, Button, Group, Image, Stack, Text } from '@mantine/core';
import { colorOf, DEFAULT_ACCENT, DEFAULT_PRIMARY } from './brandColors';

/**
 * How the brand will look to the reseller's customers, drawn from what is typed now: a header in
 * the primary colour with the logo and the name, a button in it, and a link in the accent colour.
 * A colour that is not complete yet shows Tally's own meanwhile.
 */
export function BrandPreview({
  name,
  primary,
  accent,
  logoUrl,
}: {
  name: string;
  primary: string;
  accent: string;
  logoUrl: string | null;
}) {
  const primaryColor = colorOf(primary) ?? DEFAULT_PRIMARY;
  const accentColor = colorOf(accent) ?? DEFAULT_ACCENT;
  return (
    <Box
      component="figure"
      aria-label="Preview of your brand"
      m={0}
      style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, overflow: 'hidden' }}
    >
      <Group
        data-testid="preview-header"
        gap="sm"
        px="md"
        py="sm"
        style={{ background: primaryColor, color: '#ffffff' }}
      >
        {logoUrl && <Image src={logoUrl} alt={`${name} logo`} h={32} w="auto" fit="contain" />}
        <Text fw={700} c="inherit">
          {name}
        </Text>
      </Group>
      <Stack gap="sm" p="md" bg="white">
        <Text size="sm" c="dark">
          Welcome back. You have 1,200 credits available.
        </Text>
        <Group gap="md">
          <Button
            data-testid="preview-button"
            style={{ background: primaryColor, color: '#ffffff' }}
            tabIndex={-1}
            aria-hidden
          >
            Buy credits
          </Button>
          <Anchor
            data-testid="preview-link"
            href="#preview"
            onClick={(event) => event.preventDefault()}
            style={{ color: accentColor }}
            tabIndex={-1}
            aria-hidden
          >
            See your usage
          </Anchor>
        </Group>
      </Stack>
      <Text component="figcaption" size="xs" c="dimmed" px="md" pb="sm" bg="white">
        What your customers see on your domain.
      </Text>
    </Box>
  );
}
