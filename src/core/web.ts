import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Env } from './http';
import type { Logger } from './log';

/**
 * The web app, served by the same process as the API: the files Vite built into web/dist, and
 * index.html for every other page address so the app's own router takes over (the SPA fallback).
 */

export const webRoot = fileURLToPath(new URL('../../web', import.meta.url));
export const webDistDir = path.join(webRoot, 'dist');

/** Addresses the server itself answers; the web app never shadows them, so an unknown API route stays a JSON 404. */
const SERVER_PATHS = /^\/(?:api(?:\/|$)|docs(?:\/|$)|healthz$)/;
/** Vite names every file under /assets/ after a hash of its content, so a given name never changes. */
const HASHED_ASSETS = '/assets/';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const cacheControl = {
  hashed: 'public, max-age=31536000, immutable',
  // Always revalidated, so a new build reaches people at their next page load.
  index: 'no-cache',
  other: 'public, max-age=3600',
} as const;

/** The file under `distDir` that a URL path names, or null; never a path outside `distDir`. */
function fileFor(distDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(distDir, `.${path.posix.normalize(decoded)}`);
  if (!file.startsWith(distDir + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

async function sendFile(c: Context<Env>, file: string, cache: string): Promise<Response> {
  const body = await fs.promises.readFile(file);
  return c.body(body, 200, {
    'content-type': contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  });
}

/**
 * Serves the built web app from `distDir`: its files with their content types (a year's cache for
 * hashed /assets/*, none for index.html), and index.html for any other GET that is not /api/*,
 * /docs* or /healthz. A missing /assets/* file is a 404 rather than index.html, so a stale page
 * asking for an old bundle fails plainly instead of parsing HTML as JavaScript.
 */
export function mountWebApp(app: OpenAPIHono<Env>, { distDir }: { distDir: string }): void {
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  app.get('*', async (c, next) => {
    const urlPath = c.req.path;
    if (SERVER_PATHS.test(urlPath)) return next();
    const file = urlPath === '/' ? null : fileFor(root, urlPath);
    if (file && file !== indexFile) {
      return sendFile(c, file, urlPath.startsWith(HASHED_ASSETS) ? cacheControl.hashed : cacheControl.other);
    }
    if (urlPath.startsWith(HASHED_ASSETS)) return next();
    if (!fs.existsSync(indexFile)) return next();
    return sendFile(c, indexFile, cacheControl.index);
  });
}

/** The newest modification time among the web app's sources, in ms since the epoch. */
function newestSourceChange(webDir: string): number {
  const sources = ['index.html', 'vite.config.ts', 'src', 'public'].map((name) => path.join(webDir, name));
  let newest = 0;
  const visit = (entry: string) => {
    const stat = fs.statSync(entry, { throwIfNoEntry: false });
    if (!stat) return;
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const child of fs.readdirSync(entry)) visit(path.join(entry, child));
  };
  for (const source of sources) visit(source);
  return newest;
}

function whyBuild(webDir: string, distDir: string): string | null {
  const index = fs.statSync(path.join(distDir, 'index.html'), { throwIfNoEntry: false });
  if (!index) return 'it has not been built yet';
  return newestSourceChange(webDir) > index.mtimeMs ? 'its sources changed since it was built' : null;
}

/**
 * Makes sure web/dist holds a build of the web app before the server starts, so `npm install &&
 * npm start` works on a fresh clone: builds with Vite's `build()` when there is no build, or when the
 * sources are newer than it (after a pull). Builds into a folder of its own and swaps it in, so a
 * process serving the old build never sees a half-written one. Returns the folder to serve.
 */
export async function ensureWebAppBuilt(
  log: Logger,
  { webDir = webRoot }: { webDir?: string } = {},
): Promise<string> {
  const distDir = path.join(webDir, 'dist');
  const reason = whyBuild(webDir, distDir);
  if (!reason) return distDir;

  const started = performance.now();
  log.info({ reason }, 'building the web app');
  const stagingDir = path.join(webDir, `dist.building-${process.pid}`);
  // Vite and the React plugin choose React's development build when NODE_ENV says so (Vitest sets
  // "test"); what is served is always the production build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const { build } = await import('vite');
    await build({
      configFile: path.join(webDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: stagingDir, emptyOutDir: true },
    });
  } catch (error) {
    fs.rmSync(stagingDir, { recursive: true, force: true });
    if (!fs.existsSync(path.join(distDir, 'index.html'))) throw error;
    log.warn({ err: error }, 'the web app could not be rebuilt; serving the previous build');
    return distDir;
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const retiredDir = path.join(webDir, `dist.retired-${process.pid}`);
  if (fs.existsSync(distDir)) fs.renameSync(distDir, retiredDir);
  fs.renameSync(stagingDir, distDir);
  fs.rmSync(retiredDir, { recursive: true, force: true });
  log.info({ ms: Math.round(performance.now() - started) }, 'web app built');
  return distDir;
}
