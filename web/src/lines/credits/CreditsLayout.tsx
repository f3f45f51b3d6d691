import { createContext, useContext } from 'react';
import { Outlet } from 'react-router';
import { api, call } from '../../api/client';
import type { CreditsActionPrice, CreditsProfile } from '../../api/types';
import { type Resource, useResource } from '../../hooks/useResource';
import { useSession } from '../../session/SessionContext';

interface CreditsContextValue {
  /** The signed-in person's type, products, permissions and balance; null data when signed out. */
  profile: Resource<CreditsProfile | null>;
  /** What each action costs; null data when signed out (the prices are for signed-in people). */
  prices: Resource<CreditsActionPrice[] | null>;
}

const CreditsContext = createContext<CreditsContextValue | null>(null);

/** Every /credits page: loads once what they all read (who the person is here, and the prices). */
export function CreditsLayout() {
  const { session } = useSession();
  const userId = session.status === 'signed-in' ? session.user.id : null;
  const profile = useResource(`credits-me:${userId ?? 'signed-out'}`, async () =>
    userId ? call(api.GET('/api/credits/me')) : null,
  );
  const prices = useResource(`credits-prices:${userId ?? 'signed-out'}`, async () =>
    userId ? (await call(api.GET('/api/credits/action-prices'))).items : null,
  );
  return (
    <CreditsContext.Provider value={{ profile, prices }}>
      <Outlet />
    </CreditsContext.Provider>
  );
}

export function useCredits(): CreditsContextValue {
  const value = useContext(CreditsContext);
  if (!value) throw new Error('useCredits is used outside CreditsLayout');
  return value;
}
