import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { formatTokenWei, textColourOn } from './card';

let tally: TestTally;
let producer: TestPerson;

beforeAll(async () => {
  tally = await testTally();
  producer = await signedInPerson(tally);
  const made = await request(tally, 'POST', '/api/streams/producer', {
    as: producer,
    body: { name: 'Weather Co', payout_address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
  });
  expect(made.status).toBe(201);
});

async function plan(fields: Record<string, unknown>): Promise<Body> {
  const response = await request(tally, 'POST', '/api/streams/producer/plans', {
    as: producer,
    body: {
      kind: 'stream',
      name: 'Forecasts',
      token: 'DAIx',
      price: '10000000000000000000',
      period: 'month',
      ...fields,
    },
  });
  const body = await read(response);
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

const widget = (id: string) => tally.http.request(`/api/streams/plans/${id}/widget`);

describe('a plan’s widget', () => {
  it('shows the card as the web app does: name, kind, exact price, colours and a Subscribe link to checkout in a new tab', async () => {
    const forecasts = await plan({
      name: 'Forecasts',
      description: 'Every forecast, every minute',
      background_color: '#fab005',
    });
    const response = await widget(forecasts.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<h1>Forecasts</h1>');
    expect(html).toContain('>Stream</span>');
    // 10 DAIx a month streams 3,858,024,691,358 wei a second: 9.999999999999936 DAIx in 30 days.
    expect(html).toContain('9.999999999999936 DAIx a month');
    expect(html).toContain('A month is 30 days.');
    expect(html).toContain('Every forecast, every minute');
    // A light colour takes black text.
    expect(html).toContain('style="background:#fab005;color:#000000"');
    expect(html).toContain(
      `<a class="subscribe" href="/streams/plans/${forecasts.id}/checkout" target="_blank" rel="noopener"`,
    );
    expect(html).toContain('>Subscribe<');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
  });

  it('shows a usage plan’s price per use and its image', async () => {
    const uses = await plan({
      kind: 'usage',
      name: 'Lookups',
      token: 'USDCx',
      price: undefined,
      period: undefined,
      usage_price: '50000000000000000',
      min_usage: 10,
      max_usage: 1000,
      background_color: '#1c1c1c',
    });
    const form = new FormData();
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa5a4b3300000000049454e44ae426082',
      'hex',
    );
    form.append('file', new Blob([new Uint8Array(png)]), 'card.png');
    const upload = await tally.http.request(`/api/streams/plans/${uses.id}/photo`, {
      method: 'PUT',
      headers: { cookie: producer.cookie, 'x-requested-with': 'tally-web' },
      body: form,
    });
    const saved = await read(upload);
    const html = await (await widget(uses.id)).text();
    expect(html).toContain('0.05 USDCx a use');
    expect(html).toContain('>N usage</span>');
    expect(html).toContain('style="background:#1c1c1c;color:#ffffff"');
    expect(html).toContain(
      `<img src="/api/streams/plans/${uses.id}/photo?v=${encodeURIComponent(saved.updated_at)}" alt="Card image of Lookups">`,
    );
    expect(html).not.toContain('A month is 30 days.');
  });

  it('shows a plan’s name as text, never as markup', async () => {
    const hostile = await plan({
      name: '<script>alert("x")</script> & <b>co</b>',
      description: '"><img src=x>',
    });
    const html = await (await widget(hostile.id)).text();
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(
      '<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;</h1>',
    );
    expect(html).toContain('&quot;&gt;&lt;img src=x&gt;');
  });

  it('says the plan takes no subscribers while it is inactive or not started, instead of the button', async () => {
    const paused = await plan({ name: 'Paused', status: 'inactive' });
    const later = await plan({
      name: 'Later',
      starts_at: new Date(tally.clock.now().getTime() + 86_400_000).toISOString(),
    });
    for (const { id } of [paused, later]) {
      const html = await (await widget(id)).text();
      expect(html).toContain('Not taking subscribers now');
      expect(html).not.toContain('checkout');
      expect(html).not.toContain('>Subscribe<');
    }
  });

  it('answers an unknown or malformed plan with a page that says so', async () => {
    for (const id of ['0190f2a4-0000-7000-8000-000000000000', 'not-a-plan']) {
      const response = await widget(id);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('This plan does not exist.');
    }
  });

  it('may be framed by any site, runs no script and is cached a minute; the plan’s JSON keeps the server’s headers', async () => {
    const forecasts = await plan({ name: 'Framed' });
    const response = await widget(forecasts.id);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain('frame-ancestors *');
    expect(policy).toContain("script-src 'none'");
    expect(policy).toContain("style-src 'unsafe-inline'");
    expect(policy).not.toContain('unsafe-eval');
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('set-cookie')).toBeNull();

    for (const other of [`/api/streams/plans/${forecasts.id}`, '/api/streams/plans/not-a-plan']) {
      const json = await tally.http.request(other);
      expect(json.headers.get('content-security-policy') ?? '').not.toContain('frame-ancestors *');
      expect(json.headers.get('cache-control')).not.toBe('public, max-age=60');
    }
  });
});

describe('widget.js', () => {
  /** Runs the script as a page would, with `<script src=… data-plan=…>` as its current script. */
  function embed(script: string, dataPlan: string | null) {
    const replaced: Record<string, unknown>[] = [];
    const tag = {
      src: 'https://tally.example/api/streams/widget.js',
      getAttribute: (name: string) => (name === 'data-plan' ? dataPlan : null),
      parentNode: { replaceChild: (frame: Record<string, unknown>) => replaced.push(frame) },
    };
    const document = { currentScript: tag, createElement: (tagName: string) => ({ tagName, style: {} }) };
    vm.runInNewContext(script, { document, URL });
    return replaced;
  }

  it('is JavaScript that puts an iframe of the plan’s widget in its own place, from its own address', async () => {
    const response = await tally.http.request('/api/streams/widget.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('set-cookie')).toBeNull();
    const script = await response.text();
    expect(script).not.toMatch(/cookie|fetch|XMLHttpRequest|sendBeacon|localStorage/);

    const id = '0190f2a4-0000-7000-8000-000000000001';
    const [frame] = embed(script, id);
    expect(frame).toMatchObject({
      tagName: 'iframe',
      src: `https://tally.example/api/streams/plans/${id}/widget`,
      title: 'Subscription plan, by Tally',
      loading: 'lazy',
      width: '360',
      height: '440',
      style: { border: '0', maxWidth: '100%' },
    });
    expect(embed(script, '../../admin')).toEqual([]);
    expect(embed(script, null)).toEqual([]);
  });
});

describe('the card’s words', () => {
  it('shows wei of an 18-decimal token exactly, with at least two decimals', () => {
    expect(formatTokenWei('9999999999999936000', 'DAIx')).toBe('9.999999999999936 DAIx');
    expect(formatTokenWei('1200000000000000000000', 'USDCx')).toBe('1,200.00 USDCx');
    expect(formatTokenWei('1', 'DAIx')).toBe('0.000000000000000001 DAIx');
    expect(formatTokenWei('0', 'DAIx')).toBe('0.00 DAIx');
  });

  it('picks black or white text, whichever reads on the colour', () => {
    expect(textColourOn('#ffffff')).toBe('#000000');
    expect(textColourOn('#1864ab')).toBe('#ffffff');
    expect(textColourOn('#fab005')).toBe('#000000');
    expect(textColourOn('#000000')).toBe('#ffffff');
  });
});
