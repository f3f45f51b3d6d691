import { z } from '@hono/zod-openapi';
import { oneLine } from '../core/http';

/** The streams API's shapes: zod schemas (requests are strict objects). */

export const Uuid = z.uuid();
export const Name = oneLine(z.string().trim().min(1).max(100));
export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits')
  .openapi({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
