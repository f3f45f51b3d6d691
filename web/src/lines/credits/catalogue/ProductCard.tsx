import { Badge, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { CreditsCatalogueProduct } from '../../../api/types';
import { formatCredits, formatDisplayPrice, productTypeLabels, refillCycleLabels } from '../format';

/** A product as a buyer reads it: what it costs, the credits it brings, how often, and what they allow. */
export function ProductCard({ product, footer }: { product: CreditsCatalogueProduct; footer?: ReactNode }) {
  return (
    <Card withBorder padding="lg" component="article" aria-label={product.name}>
      <Stack gap="sm" h="100%">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={3} size="h4">
            {product.name}
          </Title>
          <Badge variant="light">{productTypeLabels[product.type]}</Badge>
        </Group>
        <Text size="xl" fw={700}>
          {formatDisplayPrice(product.display_price)}
        </Text>
        <Text size="sm">
          {formatCredits(product.credits_per_cycle)} · {refillCycleLabels[product.refill_cycle].toLowerCase()}
          {product.rollover_credits !== '0' &&
            ` · up to ${formatCredits(product.rollover_credits)} carried into the next cycle`}
        </Text>
        {product.description && (
          <Text size="sm" c="dimmed">
            {product.description}
          </Text>
        )}
        <div>
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            Actions it allows
          </Text>
          {product.permissions.length === 0 ? (
            <Text size="sm">None: credits only</Text>
          ) : (
            <List size="sm" spacing={2}>
              {product.permissions.map((permission) => (
                <List.Item key={permission.action}>{permission.label}</List.Item>
              ))}
            </List>
          )}
        </div>
        {footer && <div style={{ marginTop: 'auto' }}>{footer}</div>}
      </Stack>
    </Card>
  );
}
