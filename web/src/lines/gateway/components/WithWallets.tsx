import { type ReactNode, Suspense } from 'react';
import { LoadingState } from '../../../components/States';
import { WalletProvider } from '../../../wallet/WalletProvider';

/** wagmi around the gateway pages that use a wallet (deposits), as the wallet pages have it. */
export function WithWallets({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<LoadingState label="Connecting to the chain…" />}>
      <WalletProvider>{children}</WalletProvider>
    </Suspense>
  );
}
