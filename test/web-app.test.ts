import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/log';
import { ensureWebAppBuilt, mountWebApp } from '../src/core/web';
import { type TestTally, testTally } from './support/app';

/** A stand-in for web/dist: the layout Vite writes, with files small enough to compare. */
function writeBuild(): string {
  const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-web-dist-'));
  fs.mkdirSync(path.join(distDir, 'assets'));
  fs.writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(distDir, 'assets', 'index-AbC123.js'), 'console.log("app")');
  fs.writeFileSync(path.join(distDir, 'assets', 'index-AbC123.css'), 'body{}');
  fs.writeFileSync(path.join(distDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return distDir;
}

describe('the web app served by Tally', () => {
  let tally: TestTally;
  let distDir: string;

  beforeAll(async () => {
    tally = await testTally();
    distDir = writeBuild();
    mountWebApp(tally.http, { distDir });
  });
  afterAll(() => fs.rmSync(distDir, { recursive: true, force: true }));

  const get = (urlPath: string) => tally.http.request(urlPath);

  it('serves index.html at / and is never cached', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('<div id="root">');
  });

  it('serves hashed assets with their content type and a year of cache', async () => {
    const script = await get('/assets/index-AbC123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const style = await get('/assets/index-AbC123.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves other files with a short cache', async () => {
    const icon = await get('/favicon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers every page address with index.html, so the app routes it', async () => {
    for (const page of ['/orgs/123', '/reset-password?token=abc', '/invitations/xyz', '/no/such/page']) {
      const response = await get(page);
      expect(response.status, page).toBe(200);
      expect(response.headers.get('content-type'), page).toBe('text/html; charset=utf-8');
    }
  });

  it('leaves the API, the reference and the health check to the server', async () => {
    const unknownApi = await get('/api/no-such-route');
    expect(unknownApi.status).toBe(404);
    expect(((await unknownApi.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await get('/api/openapi.json')).headers.get('content-type')).toContain('application/json');
    expect((await get('/docs')).headers.get('content-type')).toContain('text/html');
    expect(await (await get('/docs')).text()).toContain('swagger');
    expect(((await (await get('/healthz')).json()) as { status: string }).status).toBe('ok');
  });

  it('answers a missing hashed asset with 404, not with the page', async () => {
    const response = await get('/assets/index-Old999.js');
    expect(response.status).toBe(404);
  });

  it('never serves a file outside the build', async () => {
    for (const attempt of [
      '/..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      const response = await get(attempt);
      expect(await response.text(), attempt).not.toContain('root:');
      expect(response.headers.get('content-type'), attempt).not.toBe('application/octet-stream');
    }
  });
});

describe('building the web app before the server starts', () => {
  let webDir: string;

  beforeAll(() => {
    webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-web-'));
    fs.mkdirSync(path.join(webDir, 'src'));
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><div id="root"></div><script type="module" src="/src/main.js"></script>',
    );
    fs.writeFileSync(path.join(webDir, 'src', 'main.js'), 'document.title = "first";');
    // No imports, so the config loads from a folder with no node_modules of its own.
    fs.writeFileSync(path.join(webDir, 'package.json'), '{ "type": "module" }');
    fs.writeFileSync(
      path.join(webDir, 'vite.config.ts'),
      `export default { root: ${JSON.stringify(webDir)}, build: { outDir: 'dist' } };`,
    );
  });
  afterAll(() => fs.rmSync(webDir, { recursive: true, force: true }));

  const builtScript = (distDir: string) => {
    const assets = fs.readdirSync(path.join(distDir, 'assets'));
    return assets.map((name) => fs.readFileSync(path.join(distDir, 'assets', name), 'utf8')).join('\n');
  };

  it('builds when there is no build, leaves a fresh build alone, and rebuilds after a source changes', async () => {
    const distDir = await ensureWebAppBuilt(silentLogger, { webDir });
    expect(distDir).toBe(path.join(webDir, 'dist'));
    expect(fs.existsSync(path.join(distDir, 'index.html'))).toBe(true);
    expect(builtScript(distDir)).toContain('first');

    const builtAt = fs.statSync(path.join(distDir, 'index.html')).mtimeMs;
    await ensureWebAppBuilt(silentLogger, { webDir });
    expect(fs.statSync(path.join(distDir, 'index.html')).mtimeMs).toBe(builtAt);

    fs.writeFileSync(path.join(webDir, 'src', 'main.js'), 'document.title = "second";');
    const later = new Date(builtAt + 5_000);
    fs.utimesSync(path.join(webDir, 'src', 'main.js'), later, later);
    await ensureWebAppBuilt(silentLogger, { webDir });
    expect(builtScript(distDir)).toContain('second');
    expect(fs.readdirSync(webDir).filter((name) => name.startsWith('dist.'))).toEqual([]);
  });
});
