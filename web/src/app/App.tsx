import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { queryClient } from '../api/queryClient';
import { LoadingState } from '../components/States';
import { SessionProvider } from '../session/SessionContext';
import { routes } from './routes';
import { appName, brandedTheme, TenantProvider } from './tenant';
import { cssVariablesResolver } from './theme';
import { UnreadCountProvider } from './UnreadCount';

const router = createBrowserRouter(routes);

/** Everything a page needs around it: the look, notifications, the data cache, who is signed in. */
export function AppProviders({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <QueryClientProvider client={client}>
      <TenantProvider>
        {(tenant) => (
          <MantineProvider
            theme={brandedTheme(tenant)}
            cssVariablesResolver={cssVariablesResolver}
            defaultColorScheme="light"
          >
            <Notifications position="bottom-right" />
            <SessionProvider>
              <UnreadCountProvider>
                <Suspense fallback={<LoadingState label={`Loading ${appName(tenant)}…`} />}>
                  {children}
                </Suspense>
              </UnreadCountProvider>
            </SessionProvider>
          </MantineProvider>
        )}
      </TenantProvider>
    </QueryClientProvider>
  );
}

export function App() {
  return (
    <AppProviders client={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
