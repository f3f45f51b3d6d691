import type { ApiKey } from '../../api/types';

export type ApiKeyState = 'active' | 'revoked' | 'expired';

export function apiKeyState(key: ApiKey, now = new Date()): ApiKeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at) <= now) return 'expired';
  return 'active';
}

export const apiKeyStateColors: Record<ApiKeyState, string> = {
  active: 'teal',
  revoked: 'gray',
  expired: 'orange',
};
