import { z } from '@hono/zod-openapi';

export const Uuid = z.uuid();
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
