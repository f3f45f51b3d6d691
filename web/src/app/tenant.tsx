import { type MantineColorsTuple, type MantineThemeOverride, mergeThemeOverrides } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { api, call } from '../api/client';
import type { Tenant } from '../api/types';
import { theme } from './theme';

/**
 * The brand of the host the app is served from: on a reseller's own domain, its name, logo and
 * colours instead of Tally's (the server says which, at /api/tenant); null on Tally's own host.
 */
const TenantContext = createContext<Tenant | null>(null);

export const useTenant = () => useContext(TenantContext);

/** Renders nothing until the host's brand is known, so a reseller's customers never see Tally's first. */
export function TenantProvider({ children }: { children: (tenant: Tenant | null) => ReactNode }) {
  const answer = useQuery({
    queryKey: ['tenant'],
    queryFn: () => call(api.GET('/api/tenant')),
    staleTime: Number.POSITIVE_INFINITY,
  });
  // A failed answer leaves Tally's own look: the pages still work, and say what failed themselves.
  if (answer.isPending) return null;
  const tenant = answer.data?.tenant ?? null;
  return <TenantContext.Provider value={tenant}>{children(tenant)}</TenantContext.Provider>;
}

/** The name the app goes by on this host. */
export const appName = (tenant: Tenant | null) => tenant?.name ?? 'Tally';

const HEX = /^#([0-9a-f]{6})$/i;

function mix(hex: string, toward: number, share: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number) => {
    const c = (value >> shift) & 0xff;
    return Math.round(c + (toward - c) * share)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(16)}${channel(8)}${channel(0)}`;
}

/**
 * Ten shades around a reseller's colour, itself at shade 8: the shade filled buttons and links use
 * in Tally's theme, where the server has already checked it reads at 4.5:1 under white text.
 */
export function shadesOf(hex: string): MantineColorsTuple {
  const lighter = [0.92, 0.84, 0.72, 0.6, 0.48, 0.36, 0.24, 0.12].map((share) => mix(hex, 255, share));
  return [...lighter, hex.toLowerCase(), mix(hex, 0, 0.2)] as unknown as MantineColorsTuple;
}

/** Tally's theme, wearing the tenant's colours where it has chosen some. */
export function brandedTheme(tenant: Tenant | null): MantineThemeOverride {
  const primary = tenant?.primary_color;
  const accent = tenant?.accent_color;
  if (!primary || !HEX.test(primary)) return theme;
  return mergeThemeOverrides(theme, {
    primaryColor: 'brand',
    colors: {
      brand: shadesOf(primary),
      ...(accent && HEX.test(accent) ? { accent: shadesOf(accent) } : {}),
    },
  });
}
