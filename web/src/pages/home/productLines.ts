/** The four product lines as the seeds describe them: what each is, for whom, and what it will let people do. */
export interface ProductLine {
  slug: 'streams' | 'gateway' | 'coop' | 'credits';
  name: string;
  tagline: string;
  summary: string;
  people: string;
  capabilities: string[];
  /** Set once the line's own pages are in the web app, at `/<slug>`. */
  built?: boolean;
}

export const productLines: ProductLine[] = [
  {
    slug: 'streams',
    name: 'Streams',
    tagline: 'Get paid by the second for what people use.',
    summary:
      'Producers publish plans and consumers subscribe, paying in ERC-20 tokens (such as DAI) that flow from them to the producer every second.',
    people: 'Producers of a service or product, and the consumers who subscribe to their plans.',
    capabilities: [
      'Register as a producer with a name, a site and a description, and see statistics: active plans, consumers, inflow over time.',
      'Publish streaming plans: a token that flows at a rate per hour, day or month, with a total supply, a start date and a monthly limit.',
      'Publish vesting plans, with a cliff date and a start amount, for services that begin later.',
      'Publish N-usage plans, priced per use, with a minimum and a maximum number of uses.',
      'As a consumer: browse producers, pick a plan, and watch the balance move as the stream runs.',
    ],
  },
  {
    slug: 'gateway',
    name: 'Gateway',
    tagline: 'Prepaid credits in front of MCP servers.',
    summary:
      'Pay once in USDC, then call MCP servers with signed requests: each call is deducted from your credits and forwarded to its provider, who is settled daily.',
    people: 'People and agents who call MCP servers, and the providers who run them.',
    capabilities: [
      'Connect a wallet and deposit USDC by signing one EIP-3009 authorization; the deposit becomes credits.',
      'Call MCP servers with signed messages: no wallet prompt per call, credits deducted as each call is served.',
      'Check the balance at any time, top up the same way, and withdraw what is left back to USDC.',
      'As a provider: usage is collected every 24 hours and settled by each provider’s share; payouts can then be claimed.',
    ],
  },
  {
    slug: 'coop',
    name: 'Coop',
    tagline: 'A food buyers club, from order to payment.',
    summary:
      'Households order together from producers: orders move from Preparing to Open, Closed, Processed and Finished, with deliveries checked, invoices uploaded and payments tracked.',
    people: 'Households of a buyers club, producer liaisons, sorters and the bookkeeper.',
    capabilities: [
      'Create or join a household; members approve join requests and can leave.',
      'Add producers and their products (packaging, price, VAT, availability); the liaison decides who may edit them.',
      'Open an order: liaisons confirm availability, households order before the deadline, producers receive a PDF order sheet.',
      'Check the delivery against the order, note what changed, and tell households that food is ready and what they owe.',
      'The bookkeeper checks household payments and pays producer invoices; the order is then finished.',
    ],
  },
  {
    slug: 'credits',
    name: 'Credits',
    built: true,
    tagline: 'Credits for SaaS products and their resellers.',
    summary:
      'Products carry credits that people spend on actions in workspaces; credits are reserved, used and refilled every cycle, and whitelabel resellers sell products of their own.',
    people: 'Customers of a SaaS product, whitelabel resellers and their customers, and administrators.',
    capabilities: [
      'Buy a generic or whitelabel product: the purchase creates the account and mails its login details.',
      'Create workspaces and spend credits on actions; a workspace reserves credits for the work done in it.',
      'See every credit usage, and the refill that resets credits at each cycle.',
      'As a whitelabel reseller: create products of your own, on your own domain, without ever handing out more credits than you hold.',
    ],
  },
];
