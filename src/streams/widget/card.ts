import type { z } from '@hono/zod-openapi';
import type { PlanSchema } from '../plans/json';

/**
 * The plan's card as a page of its own, for other sites to show in an iframe: the same words as the
 * web app's card (web/src/lines/streams/plans/PlanCard.tsx and ../format.ts), built from the same
 * JSON the API gives, with no script at all.
 */

type PlanView = z.infer<typeof PlanSchema>;

const TOKEN_DECIMALS = 18n;
/** As the web app shows money: every non-zero decimal, and at least two. */
const MINIMUM_DECIMALS = 2;

const kindLabels: Record<PlanView['kind'], string> = {
  stream: 'Stream',
  vesting: 'Vesting',
  usage: 'N usage',
};
const perPeriod: Record<NonNullable<PlanView['stream']>['period'], string> = {
  hour: 'an hour',
  day: 'a day',
  month: 'a month',
};

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or an attribute's value, safe inside HTML whatever a producer typed. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Wei of an 18-decimal token, exactly: `9999999999999936000` → `9.999999999999936 DAIx`. */
export function formatTokenWei(wei: string, token: string): string {
  const value = BigInt(wei);
  const base = 10n ** TOKEN_DECIMALS;
  const whole = (value / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (value % base)
    .toString()
    .padStart(Number(TOKEN_DECIMALS), '0')
    .replace(/0+$/, '')
    .padEnd(MINIMUM_DECIMALS, '0');
  return `${whole}.${fraction} ${token}`;
}

/** The card's headline, as the web app's `planPrice`: what really streams a period, or a use's price. */
export function planPriceWords(plan: PlanView): string {
  const token = plan.token.symbol;
  if (plan.stream) return `${formatTokenWei(plan.stream.per_period, token)} ${perPeriod[plan.stream.period]}`;
  if (plan.usage) return `${formatTokenWei(plan.usage.usage_price, token)} a use`;
  return '—';
}

/** Black or white, whichever contrasts more with the background (WCAG relative luminance), as the web app picks. */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background);
  if (!match) return '#000000';
  const channel = (hex: string) => {
    const c = Number.parseInt(hex, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [, r = '00', g = '00', b = '00'] = match;
  const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** Where the Subscribe link leads: the web app's checkout, on the origin that served the widget. */
export const checkoutPath = (planId: string) => `/streams/plans/${encodeURIComponent(planId)}/checkout`;

const STYLE = `*{box-sizing:border-box}
html,body{margin:0;background:transparent}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212529}
.card{border:1px solid #dee2e6;border-radius:8px;overflow:hidden;background:#fff;max-width:100%}
.card img{display:block;width:100%;height:140px;object-fit:cover}
.face{padding:16px}
.head{display:flex;justify-content:space-between;align-items:flex-start;gap:8px}
h1{margin:0;font-size:18px;line-height:1.3;overflow-wrap:anywhere}
.badge{flex-shrink:0;background:#fff;color:#212529;border-radius:999px;padding:2px 10px;font-size:11px;font-weight:700;text-transform:uppercase;white-space:nowrap}
.price{margin:4px 0 0;font-size:18px;font-weight:700;overflow-wrap:anywhere}
.note{margin:2px 0 0;font-size:12px}
.body{padding:16px}
.description{margin:0 0 12px;overflow-wrap:anywhere;display:-webkit-box;-webkit-line-clamp:4;-webkit-box-orient:vertical;overflow:hidden}
.subscribe{display:block;border:1px solid rgba(0,0,0,.25);text-align:center;font-weight:700;text-decoration:none;border-radius:6px;padding:10px 16px}
.subscribe:focus-visible{outline:3px solid #1c7ed6;outline-offset:2px}
.closed{margin:0;text-align:center;font-weight:700;color:#495057}
.by{margin:12px 0 0;text-align:center;font-size:12px;color:#495057}
.hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;

/** The widget of a plan; `open` (active and started) decides between the Subscribe link and a sentence saying why not. */
export function widgetPage(plan: PlanView): string {
  const colour = /^#[0-9a-f]{6}$/i.test(plan.background_color) ? plan.background_color : '#1c7ed6';
  const ink = textColourOn(colour);
  const name = escapeHtml(plan.name);
  const image = plan.image_url
    ? `<img src="${escapeHtml(`${plan.image_url}?v=${encodeURIComponent(plan.updated_at)}`)}" alt="Card image of ${name}">`
    : '';
  const note = plan.stream?.period === 'month' ? '<p class="note">A month is 30 days.</p>' : '';
  const description = plan.description ? `<p class="description">${escapeHtml(plan.description)}</p>` : '';
  const action = plan.open
    ? `<a class="subscribe" href="${escapeHtml(checkoutPath(plan.id))}" target="_blank" rel="noopener" style="background:${colour};color:${ink}">Subscribe<span class="hidden"> to ${name} (opens in a new tab)</span></a>`
    : '<p class="closed">Not taking subscribers now</p>';
  return page(
    `${plan.name} · Tally`,
    `<article class="card" aria-label="${name}">${image}
<div class="face" style="background:${colour};color:${ink}">
<div class="head"><h1>${name}</h1><span class="badge">${kindLabels[plan.kind]}</span></div>
<p class="price">${escapeHtml(planPriceWords(plan))}</p>${note}
</div>
<div class="body">${description}${action}<p class="by">Paid in token streams with Tally</p></div>
</article>`,
  );
}

/** What the widget of a plan that does not exist shows, rather than a JSON error inside someone's page. */
export const unknownPlanPage = () =>
  page(
    'Plan not found · Tally',
    '<article class="card"><div class="body"><p class="closed">This plan does not exist.</p></div></article>',
  );
