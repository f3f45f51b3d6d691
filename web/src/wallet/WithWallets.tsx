import { type ReactNode, Suspense } from 'react';
import { LoadingState } from '../components/States';
import { WalletProvider } from './WalletProvider';

/**
 * wagmi around a page that uses a wallet (the wallet pages, a gateway deposit, a credits checkout):
 * the page waits, with a loading state, until the chain is known or known to be missing.
 */
export function WithWallets({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<LoadingState label="Connecting to the chain…" />}>
      <WalletProvider>{children}</WalletProvider>
    </Suspense>
  );
}
