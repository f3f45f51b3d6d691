import type { Environment } from 'vitest/runtime';
import { builtinEnvironments } from 'vitest/runtime';

/**
 * jsdom for the page, with modules loaded as on the server: the form tests run the web app and a
 * whole Tally in one process, and Tally's modules need Node's URL and `import.meta.url`.
 */
export default {
  name: 'jsdom-with-tally',
  viteEnvironment: 'ssr',
  setup: (global, options) => builtinEnvironments.jsdom.setup(global, options),
} satisfies Environment;
