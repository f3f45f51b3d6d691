import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { queryClient } from '../api/queryClient';
import { LoadingState } from '../components/States';
import { SessionProvider } from '../session/SessionContext';
import { routes } from './routes';
import { cssVariablesResolver, theme } from './theme';
import { UnreadCountProvider } from './UnreadCount';

const router = createBrowserRouter(routes);

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <UnreadCountProvider>
            <Suspense fallback={<LoadingState label="Loading Tally…" />}>
              <RouterProvider router={router} />
            </Suspense>
          </UnreadCountProvider>
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
