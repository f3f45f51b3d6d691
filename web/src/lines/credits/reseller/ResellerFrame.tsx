import { CreditsAreaFrame, type CreditsFrameProps } from '../CreditsTabs';

const resellerTabs = [
  { path: '/credits/reseller/products', label: 'Your products' },
  { path: '/credits/reseller/shop', label: 'Preview your shop' },
  { path: '/credits/reseller/domain', label: 'Domain' },
];

/** The frame of a whitelabel reseller's pages: the title, the line's tabs and the reseller tabs. */
export const ResellerFrame = (props: CreditsFrameProps) => (
  <CreditsAreaFrame area="Reseller" tabs={resellerTabs} {...props} />
);
