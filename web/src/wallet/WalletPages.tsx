// The pages that use wallets, each inside wagmi: this module and everything it brings (wagmi, viem's
// wallet code) is a bundle of its own, loaded only when one of them is opened.

import { ChainStatusPage } from '../pages/admin/ChainStatusPage';
import { WalletSignInPage } from '../pages/auth/WalletSignInPage';
import { ProfilePage } from '../pages/settings/ProfilePage';
import { WalletPage } from '../pages/wallet/WalletPage';
import { WithWallets } from './WithWallets';

export const WalletRoute = () => (
  <WithWallets>
    <WalletPage />
  </WithWallets>
);

export const WalletSignInRoute = () => (
  <WithWallets>
    <WalletSignInPage />
  </WithWallets>
);

export const ChainStatusRoute = () => (
  <WithWallets>
    <ChainStatusPage />
  </WithWallets>
);

export const ProfileRoute = () => (
  <WithWallets>
    <ProfilePage />
  </WithWallets>
);
