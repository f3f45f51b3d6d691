import { CreditsAreaFrame, type CreditsFrameProps } from '../CreditsTabs';

const adminTabs = [
  { path: '/credits/admin/products', label: 'Products' },
  { path: '/credits/admin/users', label: 'People' },
  { path: '/credits/admin/purchases', label: 'Purchases' },
  { path: '/credits/admin/checkouts', label: 'Checkouts' },
  { path: '/credits/admin/action-prices', label: 'Action prices' },
  { path: '/credits/admin/integrations', label: 'Integrations' },
];

/** The frame of the credits administration pages: the title, the line's tabs and the admin tabs. */
export const AdminFrame = (props: CreditsFrameProps) => (
  <CreditsAreaFrame area="Credits administration" tabs={adminTabs} {...props} />
);
