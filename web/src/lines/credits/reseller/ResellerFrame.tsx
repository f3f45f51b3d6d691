import type { ReactNode } from 'react';
import { api, call } from '../../../api/client';
import type { CreditsProfile } from '../../../api/types';
import { ResourceView } from '../../../components/ResourceView';
import { NothingYet } from '../../../components/States';
import { useCredits } from '../CreditsLayout';
import { CreditsAreaFrame, type CreditsFrameProps } from '../CreditsTabs';
import { useOptionalResource } from './useOptionalResource';

const resellerTabs = [
  { path: '/credits/reseller/overview', label: 'Overview' },
  { path: '/credits/reseller/products', label: 'Your products' },
  { path: '/credits/reseller/customers', label: 'Customers' },
  { path: '/credits/reseller/float', label: 'Float' },
  { path: '/credits/reseller/branding', label: 'Brand' },
  { path: '/credits/reseller/shop', label: 'Preview your shop' },
  { path: '/credits/reseller/domain', label: 'Domain' },
];

/**
 * The frame of a whitelabel reseller's pages: the title, the line's tabs and the reseller tabs, and
 * the page itself only for a reseller (anyone else is told how one becomes a reseller).
 */
export function ResellerFrame({
  children,
  ...frame
}: Omit<CreditsFrameProps, 'children'> & {
  children: ReactNode | ((reseller: CreditsProfile) => ReactNode);
}) {
  const { profile } = useCredits();
  return (
    <CreditsAreaFrame area="Reseller" tabs={resellerTabs} {...frame}>
      <ResourceView resource={profile} loadingLabel="Loading your credits…">
        {(data) =>
          data?.type === 'whitelabel' ? (
            typeof children === 'function' ? (
              children(data)
            ) : (
              children
            )
          ) : (
            <NothingYet title="For whitelabel resellers">
              Buying a whitelabel product makes you a reseller, with products and a domain of your own.
            </NothingYet>
          )
        }
      </ResourceView>
    </CreditsAreaFrame>
  );
}

/**
 * The reseller's domain as Tally has it, or null before she has set one; with `refreshEveryMs`, asked
 * again that often while it is not live, so what the domain job finds shows without a click.
 */
export function useWhitelabel({ refreshEveryMs }: { refreshEveryMs?: number } = {}) {
  return useOptionalResource(
    'credits-whitelabel',
    () => call(api.GET('/api/credits/whitelabel')),
    refreshEveryMs === undefined
      ? undefined
      : { everyMs: refreshEveryMs, while: (whitelabel) => whitelabel.status !== 'active' },
  );
}
