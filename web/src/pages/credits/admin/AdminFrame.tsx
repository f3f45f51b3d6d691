import type { ReactNode } from 'react';
import { PageHeader } from '../../../components/PageHeader';
import { CreditsSubTabs, CreditsTabs } from '../CreditsTabs';

const adminTabs = [
  { path: '/credits/admin/products', label: 'Products' },
  { path: '/credits/admin/users', label: 'People' },
  { path: '/credits/admin/purchases', label: 'Purchases' },
  { path: '/credits/admin/action-prices', label: 'Action prices' },
  { path: '/credits/admin/integrations', label: 'Integrations' },
];

/** The frame of the credits administration pages: the title, the line's tabs and the admin tabs. */
export function AdminFrame({
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
      <CreditsSubTabs label="Credits administration" tabs={adminTabs} />
      {children}
    </>
  );
}
