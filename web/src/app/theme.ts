import {
  Badge,
  CloseButton,
  type CloseButtonProps,
  type CSSVariablesResolver,
  createTheme,
} from '@mantine/core';

/**
 * One look for every product line. Shades are chosen for WCAG AA contrast (4.5:1 for text): filled
 * buttons and links use shade 8 (white on blue 8 is 5.0:1), dimmed text is gray 7 (8.2:1) and
 * errors red 9 (5.5:1). Mantine's light variants (badges, alerts) write shade 9 on shade 1, which
 * falls short for teal (4.3:1), green, orange and yellow (2.7:1); those get darker text below.
 * Placeholders are text too: Mantine's gray 5 reads at 2.2:1, so they get a grey of 5.6:1 on white
 * (5.0:1 on a filled input's gray 1), still lighter than what a person types. Links are blue 9
 * (6.4:1 on white, 5.3:1 on a light blue alert), where blue 8 falls to 4.0:1 inside an alert.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  // People who ask their system for less motion get no transitions (WCAG 2.3.3).
  respectReducedMotion: true,
  primaryShade: { light: 8, dark: 6 },
  defaultRadius: 'md',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  headings: { fontWeight: '650' },
  components: {
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
    // A notification's words read at AA like any text (Mantine's grey 6 is 3.3:1 on white).
    Notification: { styles: { description: { color: 'var(--mantine-color-dimmed)' } } },
    // A table wider than a phone scrolls sideways: the keyboard can scroll it too.
    TableScrollContainer: { defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } },
    // Every close button (a notification's, an alert's, a dialog's) says what it does to a screen reader.
    CloseButton: CloseButton.extend({ defaultProps: { 'aria-label': 'Close' } as Partial<CloseButtonProps> }),
    // A badge names a state or a type: cut to "WHITELABEL RE…" it says nothing. So it keeps its
    // whole width, and the cell or row around it makes room, instead of ending in an ellipsis.
    Badge: Badge.extend({
      styles: {
        root: { overflow: 'visible', flexShrink: 0 },
        label: { overflow: 'visible', textOverflow: 'clip' },
      },
    }),
  },
});

export const cssVariablesResolver: CSSVariablesResolver = (resolvedTheme) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': resolvedTheme.colors.gray[7],
    // A reseller's colour is checked to read at 4.5:1 on white where it is chosen; Tally's blue needs shade 9.
    '--mantine-color-anchor':
      resolvedTheme.primaryColor === 'brand' ? resolvedTheme.colors.brand![8] : resolvedTheme.colors.blue[9],
    '--mantine-color-error': resolvedTheme.colors.red[9],
    '--mantine-color-placeholder': '#616970',
    '--mantine-color-teal-light-color': '#066649',
    '--mantine-color-green-light-color': '#1f6b2e',
    '--mantine-color-orange-light-color': '#a13500',
    '--mantine-color-yellow-light-color': '#7a4a00',
  },
  dark: {},
});
