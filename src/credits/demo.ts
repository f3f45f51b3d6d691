import type { Actor } from '../core/actor';
import { TestClock } from '../core/clock';
import { AppError } from '../core/errors';
import { encodePng } from '../core/files/png';
import type { FileDeps } from '../core/files/service';
import { type CreditsDeps, onClock } from './deps';
import { listActionPrices, setActionPrice } from './engine/prices';
import { createProduct, listProducts, type Product, type ProductInput } from './products/service';
import { enterPurchase } from './purchases/service';
import { chargeAction } from './spending/service';
import { getBranding, setBrandLogo, updateBranding } from './whitelabel/branding';
import { domainUrl, isDevelopmentTally } from './whitelabel/domain-names';
import { getWhitelabel, setWhitelabelDomain } from './whitelabel/service';
import { createWorkspace, listWorkspaces } from './workspaces/service';

/**
 * The credits line's share of `tally demo`, made through its services: priced actions, products of
 * the three types, buyers of each, a whitelabel reseller with buyers of its own and a site of its own
 * (a domain, a brand, a logo), workspaces, and a month of usage so the dashboard's chart has a shape.
 * Everything is found again by name, order reference, idempotency key or the reseller's own set-up,
 * so a second run adds nothing.
 */

const DAY_MS = 24 * 3600 * 1000;
/** Usage runs over the 28 days before the demo, inside the first monthly cycle of every purchase. */
const USAGE_DAYS = 28;

const demoActions = {
  generate_report: { label: 'Generate a report', price: 3n },
  export_pdf: { label: 'Export a PDF', price: 1n },
  run_analysis: { label: 'Run an analysis', price: 8n },
} as const;

const everyAction = [
  'create_workspace',
  'invite_member',
  ...Object.keys(demoActions),
] as const satisfies readonly string[];

const products: Record<'starter' | 'team' | 'reseller', ProductInput> = {
  starter: {
    type: 'generic',
    name: 'Starter',
    description: 'For one person trying things out',
    creditsPerCycle: 500n,
    refillCycle: 'month',
    permissions: [...everyAction],
    displayPriceMinor: 900n,
    displayCurrency: 'EUR',
  },
  team: {
    type: 'generic',
    name: 'Team',
    description: 'For a team that works in several workspaces',
    creditsPerCycle: 5000n,
    refillCycle: 'month',
    rolloverCredits: 1000n,
    permissions: [...everyAction],
    displayPriceMinor: 4900n,
    displayCurrency: 'EUR',
  },
  reseller: {
    type: 'whitelabel',
    name: 'Reseller licence',
    description: 'Sell credits under your own brand',
    creditsPerCycle: 20_000n,
    refillCycle: 'month',
    permissions: ['create_under_whitelabel_product', ...everyAction],
    displayPriceMinor: 29_900n,
    displayCurrency: 'EUR',
  },
};

const people = {
  ada: { email: 'ada@demo.tally.test', name: 'Ada Lovelace' },
  grace: { email: 'grace@demo.tally.test', name: 'Grace Hopper' },
  northwind: { email: 'owner@northwind.demo.tally.test', name: 'Northwind Analytics' },
  ben: { email: 'ben@northwind-customer.demo.tally.test', name: 'Ben Okafor' },
  chloe: { email: 'chloe@northwind-customer.demo.tally.test', name: 'Chloé Martin' },
} as const;

const personActor = (userId: string): Actor => ({
  userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

async function findOrCreateProduct(deps: CreditsDeps, actor: Actor, input: ProductInput): Promise<Product> {
  const { items } = await listProducts(deps, actor, { type: input.type, limit: 200 });
  return items.find((product) => product.name === input.name) ?? createProduct(deps, actor, input);
}

async function findOrCreateWorkspace(deps: CreditsDeps, actor: Actor, name: string) {
  const existing = (await listWorkspaces(deps, actor)).find((workspace) => workspace.name === name);
  return existing ?? createWorkspace(deps, actor, { name });
}

export async function makeCreditsDemo(
  deps: CreditsDeps,
  admin: Actor,
  /** Where the reseller's logo is kept; without it the brand has its name and colours only. */
  files?: FileDeps,
): Promise<string[]> {
  // The demo's own clock: purchases are dated a month back and usage day by day since, so the
  // dashboard shows a month. A second run finds the first one's purchases and keeps their dates.
  const clock = new TestClock(new Date(deps.clock.now().getTime() - (USAGE_DAYS + 1) * DAY_MS));
  const at = onClock(deps, clock);

  const priced = new Set((await listActionPrices(deps.db)).map((price) => price.action));
  for (const [action, { label, price }] of Object.entries(demoActions)) {
    if (priced.has(action)) continue;
    await deps.db.transaction((tx) => setActionPrice(tx, deps.clock, { action, label, price }));
  }
  const starter = await findOrCreateProduct(at, admin, products.starter);
  const team = await findOrCreateProduct(at, admin, products.team);
  const reseller = await findOrCreateProduct(at, admin, products.reseller);

  const buy = async (person: { email: string; name: string }, product: Product, order: string) => {
    const { purchase, created } = await enterPurchase(at, admin, {
      email: person.email,
      name: person.name,
      productId: product.id,
      orderReference: `demo-${order}`,
    });
    // The first run's purchase sets the timeline of everything after it.
    if (!created) clock.set(purchase.createdAt);
    return purchase.userId;
  };
  const ada = await buy(people.ada, starter, 'ada-starter');
  const grace = await buy(people.grace, team, 'grace-team');
  const northwind = await buy(people.northwind, reseller, 'northwind-licence');

  const basic = await findOrCreateProduct(at, personActor(northwind), {
    type: 'under_whitelabel',
    name: 'Northwind Basic',
    description: 'Reports and exports, resold by Northwind Analytics',
    creditsPerCycle: 300n,
    refillCycle: 'month',
    permissions: ['generate_report', 'export_pdf'],
    // In US dollars, so the shop's card has a Buy button (Tally's checkout takes USDC for USD prices).
    displayPriceMinor: 1900n,
    displayCurrency: 'USD',
  });
  const ben = await buy(people.ben, basic, 'ben-northwind-basic');
  const chloe = await buy(people.chloe, basic, 'chloe-northwind-basic');

  const research = await findOrCreateWorkspace(at, personActor(grace), 'Research');
  const marketing = await findOrCreateWorkspace(at, personActor(grace), 'Marketing');
  await findOrCreateWorkspace(at, personActor(ada), 'Side project');

  const start = clock.now().getTime();
  const spenders: { userId: string; workspaceId?: string; actions: (keyof typeof demoActions)[] }[] = [
    { userId: ada, actions: ['generate_report', 'export_pdf'] },
    { userId: grace, workspaceId: research.id, actions: ['run_analysis', 'generate_report'] },
    { userId: grace, workspaceId: marketing.id, actions: ['export_pdf', 'generate_report'] },
    { userId: ben, actions: ['generate_report'] },
    { userId: chloe, actions: ['export_pdf', 'generate_report'] },
  ];
  let charges = 0;
  for (let day = 0; day < USAGE_DAYS; day++) {
    for (const [index, { userId, workspaceId, actions }] of spenders.entries()) {
      // Busier on weekdays and towards the end of the month, so the chart has a shape.
      const count = ((day * 7 + index * 3) % 4) + (day % 7 < 5 ? 1 : 0) + Math.floor(day / 10);
      for (let n = 0; n < count; n++) {
        const action = actions[(day + n) % actions.length]!;
        clock.set(new Date(start + DAY_MS * (day + 1) + (9 + n) * 3600 * 1000 + index * 60_000));
        await chargeAction(at, personActor(userId), {
          action,
          usedFor: `${demoActions[action].label} (demo)`,
          idempotencyKey: `demo-${day}-${index}-${n}`,
          ...(workspaceId ? { workspaceId } : {}),
        });
        charges++;
      }
    }
  }

  const site = await makeResellerSite(deps, files, personActor(northwind));

  return [
    `products: ${starter.name}, ${team.name}, ${reseller.name} (whitelabel) and ${basic.name} (Northwind's)`,
    `people: ${Object.values(people)
      .map((p) => p.email)
      .join(', ')} — each got a mail with a first-login link (see the Mailbox)`,
    `workspaces: Research and Marketing (Grace), Side project (Ada)`,
    `${charges} charges over ${USAGE_DAYS} days`,
    ...site,
  ];
}

/** Northwind's site: the domain its customers reach it on and the brand they see there. */
const northwindSite = {
  domain: 'northwind.localhost',
  brandName: 'Northwind',
  // 8.4:1 and 5.2:1 with white: both read under white text and on the white page (WCAG AA's 4.5:1).
  primaryColor: '#1d4e89',
  accentColor: '#0b7a75',
} as const;

/**
 * Gives the reseller its own site the way it would through its Domain and Brand pages: a domain
 * under `.localhost`, which a development Tally makes active at once (its browsers reach such names
 * by themselves), then its brand name, colours and logo. What the reseller has set already is kept,
 * so a second run changes nothing. A public Tally takes public domains only, whose DNS records only
 * their owner can add: there the demo leaves the domain, and so the brand kept with it, to the reseller.
 */
async function makeResellerSite(
  deps: CreditsDeps,
  files: FileDeps | undefined,
  owner: Actor,
): Promise<string[]> {
  const site = northwindSite;
  let whitelabel = await getWhitelabel(deps, owner).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  });
  if (!whitelabel) {
    if (!isDevelopmentTally(deps.publicUrl)) {
      return [
        `Northwind's own site: not set up. This Tally's PUBLIC_URL (${deps.publicUrl}) is a public address, ` +
          `so it takes public domains only, whose DNS records the demo cannot add; ${site.domain} works on a ` +
          `Tally whose PUBLIC_URL is this machine (http://localhost:3000). Northwind sets a domain of its own ` +
          `on its Domain page, then its brand.`,
      ];
    }
    try {
      whitelabel = await setWhitelabelDomain(deps, owner, { domain: site.domain });
    } catch (error) {
      if (error instanceof AppError && error.code === 'domain_taken') {
        return [`Northwind's own site: not set up. ${site.domain} is already another reseller's.`];
      }
      throw error;
    }
  }

  const brand = await getBranding(deps, owner);
  const unset = {
    ...(brand.brandName === null ? { brandName: site.brandName } : {}),
    ...(brand.primaryColor === null ? { primaryColor: site.primaryColor } : {}),
    ...(brand.accentColor === null ? { accentColor: site.accentColor } : {}),
  };
  let branded = Object.keys(unset).length > 0 ? await updateBranding(deps, owner, unset) : brand;
  if (branded.logoFileId === null && files) {
    branded = await setBrandLogo({ ...deps, files }, owner, {
      name: 'northwind-logo.png',
      bytes: northwindLogo(branded.primaryColor ?? site.primaryColor),
    });
  }

  const colours = [branded.primaryColor, branded.accentColor].filter(Boolean).join(' and ');
  const look = `brand "${branded.name}"${colours ? `, colours ${colours}` : ''}${branded.logoFileId ? ', a logo' : ''}`;
  if (whitelabel.status !== 'active') {
    return [`Northwind's own site: ${whitelabel.domain} is ${whitelabel.status}; ${look}`];
  }
  return [
    `Northwind's own site: open ${domainUrl(whitelabel.domain, deps.publicUrl)} (on this machine, while ` +
      `Tally runs) for its shop under its ${look}; its customers Ben and Chloé sign in there`,
  ];
}

/**
 * Northwind's logo, drawn here: a disc in its primary colour with a white arrow pointing north, on a
 * transparent square, as a 64-pixel PNG.
 */
function northwindLogo(primaryColor: string): Buffer {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(primaryColor.slice(at, at + 2), 16)) as [
    number,
    number,
    number,
  ];
  const size = 64;
  const centre = size / 2;
  const arrow: [number, number][] = [
    [32, 9],
    [47, 52],
    [32, 42],
    [17, 52],
  ];
  return encodePng(size, size, (x, y) => {
    const [px, py] = [x + 0.5, y + 0.5];
    if ((px - centre) ** 2 + (py - centre) ** 2 > (centre - 1) ** 2) return [0, 0, 0, 0];
    return inside(arrow, px, py) ? [255, 255, 255, 255] : [r, g, b, 255];
  });
}

/** Whether a point is inside a polygon: an odd number of its edges cross the ray to its right. */
function inside(polygon: readonly [number, number][], x: number, y: number): boolean {
  let odd = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}
