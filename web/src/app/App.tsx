import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { LoadingState } from '../components/States';
import { SessionProvider } from '../session/SessionContext';
import { WalletProvider } from '../wallet/WalletProvider';
import { routes } from './routes';
import { cssVariablesResolver, theme } from './theme';
import { UnreadCountProvider } from './UnreadCount';

const router = createBrowserRouter(routes);

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <SessionProvider>
        <UnreadCountProvider>
          <Suspense fallback={<LoadingState label="Loading Tally…" />}>
            <WalletProvider>
              <RouterProvider router={router} />
            </WalletProvider>
          </Suspense>
        </UnreadCountProvider>
      </SessionProvider>
    </MantineProvider>
  );
}
