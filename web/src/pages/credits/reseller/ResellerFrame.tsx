import type { ReactNode } from 'react';
import { PageHeader } from '../../../components/PageHeader';
import { CreditsSubTabs, CreditsTabs } from '../CreditsTabs';

const resellerTabs = [
  { path: '/credits/reseller/products', label: 'Your products' },
  { path: '/credits/reseller/domain', label: 'Domain' },
];

/** The frame of a whitelabel reseller's pages: the title, the line's tabs and the reseller tabs. */
export function ResellerFrame({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <CreditsTabs />
      <CreditsSubTabs label="Reseller" tabs={resellerTabs} />
      {children}
    </>
  );
}
