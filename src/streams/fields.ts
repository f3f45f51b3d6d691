import { z } from '@hono/zod-openapi';
import { oneLine } from '../core/http';

/** The streams API's shapes: zod schemas (requests are strict objects). */

export const Uuid = z.uuid();
export const Name = oneLine(z.string().trim().min(1).max(100));
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
