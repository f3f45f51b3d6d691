import { devAccounts } from '../../chain/runtime';
import type { Actor } from '../../core/actor';
import { confirmedPersonId } from '../../core/auth/accounts';
import type { StreamsDeps } from '../deps';
import { createPlan, listOwnPlans, type PlanInput } from '../plans/service';
import { findOwnProducer, registerProducer } from '../producers/service';

/**
 * The streams line's share of `tally demo`, made through its services: two producers, paid at
 * development wallets of the embedded chain, with a plan of each kind between them. Found again by
 * the producers' people and the plans' names, so a second run adds nothing. The demo command runs
 * without the chain, so its subscribers check out later, from the server (`subscribers.ts`).
 */

const DAY = 86_400_000;
const ether = (whole: bigint, hundredths = 0n) => whole * 10n ** 18n + hundredths * 10n ** 16n;

const base = {
  externalLink: null,
  totalSupply: null,
  startsAt: null,
  status: 'active',
  price: null,
  period: null,
  monthLimit: null,
  graceSeconds: 3 * 86_400,
  cliffAt: null,
  startAmount: null,
  usagePrice: null,
  minUsage: null,
  maxUsage: null,
} as const;

export const demoProducers: {
  email: string;
  person: string;
  name: string;
  site: string;
  description: string;
  /** The development account its streams flow to. */
  wallet: number;
  plans: (now: Date) => (Omit<PlanInput, keyof typeof base> & Partial<PlanInput>)[];
}[] = [
  {
    email: 'nora@streams.demo.tally.test',
    person: 'Nora Lindqvist',
    name: 'Northwind Weather',
    site: 'weather.northwind.example',
    description: 'Forecasts for farms and festivals, by the minute, for the next ten days.',
    wallet: 8,
    plans: () => [
      {
        kind: 'stream',
        name: 'Forecast API',
        description: 'Every forecast and warning, up to 10,000 calls a month.',
        token: 'DAIx',
        price: ether(10n),
        period: 'month',
        monthLimit: 10_000,
        totalSupply: 500,
        backgroundColor: '#1c7ed6',
      },
      {
        kind: 'usage',
        name: 'Storm alerts',
        description: 'A text message per alert, bought in packs.',
        token: 'USDCx',
        usagePrice: ether(0n, 5n),
        minUsage: 20,
        maxUsage: 2_000,
        backgroundColor: '#e8590c',
      },
    ],
  },
  {
    email: 'omar@streams.demo.tally.test',
    person: 'Omar Haddad',
    name: 'Quiet Room Studio',
    site: 'Lindenstraße 12, Berlin',
    description: 'A recording studio by the hour, and a season of mixing for bands that book ahead.',
    wallet: 9,
    plans: (now) => [
      {
        kind: 'stream',
        name: 'Studio time',
        description: 'The studio by the hour, stopped whenever you like.',
        token: 'USDCx',
        price: ether(18n),
        period: 'hour',
        totalSupply: 3,
        backgroundColor: '#2f9e44',
      },
      {
        kind: 'vesting',
        name: 'Spring season',
        description: 'Mixing for the spring season: the booking fee now, the stream from the first session.',
        token: 'DAIx',
        price: ether(300n),
        period: 'month',
        cliffAt: new Date(now.getTime() + 30 * DAY),
        startAmount: ether(150n),
        backgroundColor: '#862e9c',
      },
    ],
  },
];

/**
 * The demo's subscribers, each with a development account of its own (the producers are paid at 8
 * and 9, the gateway's demo uses 6 and 7). They check out on the embedded chain only, where the
 * development accounts hold test DAI and USDC: `demoSubscribersJob` (subscribers.ts), run by the
 * server, streams to the stream plans and buys uses of the usage plan. A vesting plan's flow starts
 * at its cliff, by Tally: none of them takes one.
 */
export const demoSubscribers: {
  email: string;
  person: string;
  /** The development account that pays. */
  wallet: number;
  /** Plans by name; a usage plan with the uses bought. */
  plans: { plan: string; uses?: number }[];
}[] = [
  {
    email: 'amara@streams.demo.tally.test',
    person: 'Amara Okafor',
    wallet: 3,
    plans: [{ plan: 'Forecast API' }, { plan: 'Storm alerts', uses: 200 }],
  },
  {
    email: 'bruno@streams.demo.tally.test',
    person: 'Bruno Costa',
    wallet: 4,
    plans: [{ plan: 'Forecast API' }, { plan: 'Studio time' }],
  },
  {
    email: 'chen@streams.demo.tally.test',
    person: 'Chen Wei',
    wallet: 5,
    plans: [{ plan: 'Forecast API' }, { plan: 'Storm alerts', uses: 40 }],
  },
];

export const personActor = (userId: string): Actor => ({
  userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

export async function makeStreamsDemo(deps: StreamsDeps): Promise<string[]> {
  const made: string[] = [];
  const wallets = devAccounts();
  for (const producer of demoProducers) {
    const actor = personActor(
      await confirmedPersonId(deps.db, deps.clock, { email: producer.email, name: producer.person }),
    );
    if (!(await findOwnProducer(deps.db, actor))) {
      await registerProducer(deps, actor, {
        name: producer.name,
        site: producer.site,
        description: producer.description,
        payoutAddress: wallets[producer.wallet]!.address,
      });
      made.push(`${producer.name} (${producer.email}) is paid at development account ${producer.wallet}`);
    }
    const existing = new Set((await listOwnPlans(deps, actor)).map((plan) => plan.name));
    for (const plan of producer.plans(deps.clock.now())) {
      if (existing.has(plan.name)) continue;
      await createPlan(deps, actor, { ...base, ...plan } as PlanInput);
      made.push(`${producer.name} offers "${plan.name}" (${plan.kind})`);
    }
  }
  if (made.length > 0) made.push(subscribersSentence(deps.clock.now()));
  return made;
}

/** What a person can expect of the demo's subscribers, who need the embedded chain to pay. */
function subscribersSentence(now: Date): string {
  const kinds = new Map(demoProducers.flatMap((p) => p.plans(now)).map((plan) => [plan.name, plan.kind]));
  const picked = (kind: string) => [
    ...new Set(
      demoSubscribers.flatMap((s) => s.plans.map((p) => p.plan)).filter((name) => kinds.get(name) === kind),
    ),
  ];
  const quoted = (names: string[]) => inWords(names.map((name) => `"${name}"`));
  return (
    `${inWords(demoSubscribers.map((s) => s.person))} (development accounts ${inWords(demoSubscribers.map((s) => String(s.wallet)))}) ` +
    `subscribe when Tally runs on its embedded chain (npm start): within a minute, streams to ` +
    `${quoted(picked('stream'))} start and uses of ${quoted(picked('usage'))} are bought`
  );
}

const inWords = (items: string[]) =>
  items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
