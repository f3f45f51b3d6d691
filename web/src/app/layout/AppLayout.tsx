import { Anchor, AppShell, Burger, Container, Group, Text, useMantineTheme } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Link, Outlet } from 'react-router';
import { SessionEndedRedirect } from '../../session/SessionEndedRedirect';
import { appName, useTenant } from '../tenant';
import { AccountMenu } from './AccountMenu';
import classes from './AppLayout.module.css';
import { MainNavigation } from './MainNavigation';

export function AppLayout() {
  const [navigationOpen, { toggle, close }] = useDisclosure(false);
  const theme = useMantineTheme();
  const isPhone = useMediaQuery(`(max-width: ${theme.breakpoints.sm})`) ?? false;
  // Closed on a phone, the navigation only slides out of view: inert keeps it out of the Tab order too.
  const navigationHidden = isPhone && !navigationOpen;
  const tenant = useTenant();
  const name = appName(tenant);
  // A reseller without a logo shows its name alone: Tally's mark is not its brand.
  const logo = tenant ? tenant.logo_url : '/favicon.svg';
  const accent = tenant?.accent_color;

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
      <AppShell.Header style={accent ? { borderBottom: `3px solid ${accent}` } : undefined}>
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
            <Anchor component={Link} to="/" underline="never" c="inherit" aria-label={`${name} home`}>
              <Group gap={8} wrap="nowrap">
                {logo && <img src={logo} alt="" width={28} height={28} style={{ objectFit: 'contain' }} />}
                <Text fw={750} size="lg" truncate maw={{ base: 180, sm: 360 }}>
                  {name}
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
