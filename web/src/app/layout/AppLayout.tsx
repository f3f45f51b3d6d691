import { Anchor, AppShell, Burger, Container, Group, Text, useMantineTheme } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Link, Outlet } from 'react-router';
import { SessionEndedRedirect } from '../../session/SessionEndedRedirect';
import { AccountMenu } from './AccountMenu';
import classes from './AppLayout.module.css';
import { MainNavigation } from './MainNavigation';

export function AppLayout() {
  const [navigationOpen, { toggle, close }] = useDisclosure(false);
  const theme = useMantineTheme();
  const isPhone = useMediaQuery(`(max-width: ${theme.breakpoints.sm})`) ?? false;
  // Closed on a phone, the navigation only slides out of view: inert keeps it out of the Tab order too.
  const navigationHidden = isPhone && !navigationOpen;

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !navigationOpen } }}
      padding="md"
    >
      <SessionEndedRedirect />
      <a href="#main-content" className={classes.skipLink}>
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navigationOpen}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navigationOpen ? 'Close navigation' : 'Open navigation'}
              aria-expanded={navigationOpen}
              aria-controls="main-navigation"
            />
            <Anchor component={Link} to="/" underline="never" c="inherit" aria-label="Tally home">
              <Group gap={8} wrap="nowrap">
                <img src="/favicon.svg" alt="" width={28} height={28} />
                <Text fw={750} size="lg">
                  Tally
                </Text>
              </Group>
            </Anchor>
          </Group>
          <AccountMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id="main-navigation" inert={navigationHidden}>
        <MainNavigation onNavigate={close} />
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1}>
        <Container size="lg" px={0}>
          <Outlet />
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
