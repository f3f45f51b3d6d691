import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { SessionProvider } from '../session/SessionContext';
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
          <RouterProvider router={router} />
        </UnreadCountProvider>
      </SessionProvider>
    </MantineProvider>
  );
}
