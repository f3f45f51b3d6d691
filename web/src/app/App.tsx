import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { queryClient } from '../api/queryClient';
import { LoadingState } from '../components/States';
import { SessionProvider } from '../session/SessionContext';
import { routes } from './routes';
import { cssVariablesResolver, theme } from './theme';
import { UnreadCountProvider } from './UnreadCount';

const router = createBrowserRouter(routes);

/** Everything a page needs around it: the look, notifications, the data cache, who is signed in. */
export function AppProviders({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={client}>
        <SessionProvider>
          <UnreadCountProvider>
            <Suspense fallback={<LoadingState label="Loading Tally…" />}>{children}</Suspense>
          </UnreadCountProvider>
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

export function App() {
  return (
    <AppProviders client={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
