import type {
  StreamsPlan,
  StreamsPlanInput,
  StreamsPlanKind,
  StreamsPlanStatus,
  StreamsPlanToken,
  StreamsPricePeriod,
} from '../../../api/types';
import { editableAmount, parseAmount } from '../../../lib/amounts';
import { dateTimeInput, isoFromDateTimeInput } from '../../../lib/dates';
import { flowRateOf, MAX_FLOW_RATE, TOKEN_DECIMALS, tokenRules } from '../format';

/** What the plan form holds: every field as typed, so nothing is lost on an error. */
export interface PlanValues {
  kind: StreamsPlanKind;
  name: string;
  description: string;
  external_link: string;
  token: StreamsPlanToken;
  total_supply: string;
  starts_at: string;
  status: StreamsPlanStatus;
  price: string;
  period: StreamsPricePeriod;
  cliff_at: string;
  start_amount: string;
  usage_price: string;
  min_usage: string;
  max_usage: string;
  month_limit: string;
  grace_hours: string;
  background_color: string;
}

/** Three days, as the server gives a new plan that says nothing. */
const DEFAULT_GRACE_HOURS = '72';
export const DEFAULT_COLOUR = '#1c7ed6';
/** The most uses one purchase of a usage plan may cover (the server's MAX_USAGE). */
const MAX_USAGE = 1_000_000;
const MAX_COUNT = 1_000_000_000;
const MAX_GRACE_HOURS = 90 * 24;

const editable = (amount: string | undefined) =>
  amount === undefined ? '' : editableAmount(BigInt(amount), TOKEN_DECIMALS);
const count = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

/** A new plan's form, or a saved plan's. */
export function planValues(plan?: StreamsPlan): PlanValues {
  return {
    kind: plan?.kind ?? 'stream',
    name: plan?.name ?? '',
    description: plan?.description ?? '',
    external_link: plan?.external_link ?? '',
    token: plan?.token.symbol ?? 'DAIx',
    total_supply: count(plan?.total_supply),
    starts_at: plan ? dateTimeInput(plan.starts_at) : '',
    status: plan?.status ?? 'active',
    price: editable(plan?.stream?.price),
    period: plan?.stream?.period ?? 'month',
    cliff_at: dateTimeInput(plan?.vesting?.cliff_at),
    start_amount: editable(plan?.vesting?.start_amount),
    usage_price: editable(plan?.usage?.usage_price),
    min_usage: count(plan?.usage?.min_usage),
    max_usage: count(plan?.usage?.max_usage),
    month_limit: count(plan?.month_limit),
    grace_hours: plan ? String(plan.grace_seconds / 3600) : DEFAULT_GRACE_HOURS,
    background_color: plan?.background_color ?? DEFAULT_COLOUR,
  };
}

/** The wei of an amount field, or null while it holds none that can be saved. */
export function weiOf(text: string, token: StreamsPlanToken, allowZero = false): bigint | null {
  const parsed = parseAmount(text, tokenRules(token, allowZero));
  return parsed.ok ? parsed.minor : null;
}

const WHOLE = /^\d+$/;

function checkCount(value: string, what: string, most: number, optional: boolean): string | null {
  const typed = value.trim();
  if (!typed) return optional ? null : `Enter ${what}`;
  if (!WHOLE.test(typed)) return 'Enter a whole number';
  const n = Number(typed);
  if (n < 1) return 'Enter at least 1';
  return n > most ? `At most ${most.toLocaleString('en-US')}` : null;
}

const pricedByTime = (values: PlanValues) => values.kind !== 'usage';

/**
 * The form's checks, mirroring the server's (src/streams/plans/service.ts): each kind's own fields,
 * and a price that streams at least one wei a second. `keptCliff` is the saved plan's cliff date: one
 * that passed may stay, a new one lies ahead.
 */
export function planChecks(keptCliff: string) {
  return {
    name: (value: string) => {
      if (!value.trim()) return 'Enter the plan’s name';
      return value.trim().length > 100 ? 'Use at most 100 characters' : null;
    },
    description: (value: string) => (value.trim().length > 2000 ? 'Use at most 2000 characters' : null),
    external_link: (value: string) => {
      const typed = value.trim();
      if (!typed) return null;
      if (typed.length > 500) return 'Use at most 500 characters';
      return /^https?:\/\/[^\s/]+\.[^\s]+$/i.test(typed)
        ? null
        : 'Enter an http:// or https:// link, or leave it empty';
    },
    total_supply: (value: string) => checkCount(value, 'the most subscribers', MAX_COUNT, true),
    starts_at: (value: string) =>
      value && isoFromDateTimeInput(value) === null ? 'Enter a date and a time, or leave it empty' : null,
    price: (value: string, values: PlanValues) => {
      if (!pricedByTime(values)) return null;
      const parsed = parseAmount(value, tokenRules(values.token));
      if (!parsed.ok) return parsed.error;
      const rate = flowRateOf(parsed.minor, values.period);
      if (rate <= 0n) return 'Too small to stream: less than one wei a second';
      return rate > MAX_FLOW_RATE ? 'Too large for a stream' : null;
    },
    cliff_at: (value: string, values: PlanValues) => {
      if (values.kind !== 'vesting') return null;
      if (!value) return 'Enter the date the stream starts';
      const iso = isoFromDateTimeInput(value);
      if (iso === null) return 'Enter a date and a time';
      if (value !== keptCliff && new Date(iso).getTime() <= Date.now())
        return 'A vesting plan starts in the future';
      return null;
    },
    start_amount: (value: string, values: PlanValues) => {
      if (values.kind !== 'vesting') return null;
      const parsed = parseAmount(value, tokenRules(values.token, true));
      return parsed.ok ? null : parsed.error;
    },
    usage_price: (value: string, values: PlanValues) => {
      if (values.kind !== 'usage') return null;
      const parsed = parseAmount(value, tokenRules(values.token));
      return parsed.ok ? null : parsed.error;
    },
    min_usage: (value: string, values: PlanValues) =>
      values.kind === 'usage'
        ? checkCount(value, 'the fewest uses a subscriber buys', MAX_USAGE, false)
        : null,
    max_usage: (value: string, values: PlanValues) => {
      if (values.kind !== 'usage') return null;
      const problem = checkCount(value, 'the most uses a subscriber buys', MAX_USAGE, false);
      if (problem) return problem;
      const min = values.min_usage.trim();
      return WHOLE.test(min) && Number(min) > Number(value.trim()) ? 'At least the minimum' : null;
    },
    month_limit: (value: string) => checkCount(value, 'the uses a month', MAX_COUNT, true),
    grace_hours: (value: string) => {
      const typed = value.trim();
      if (!/^\d+(\.\d+)?$/.test(typed)) return 'Enter a number of hours, such as 72';
      return Number(typed) > MAX_GRACE_HOURS ? `At most ${MAX_GRACE_HOURS} hours (90 days)` : null;
    },
    background_color: (value: string) =>
      /^#[0-9a-f]{6}$/i.test(value.trim()) ? null : 'Enter a colour such as #1c7ed6',
  };
}

const countOrNull = (value: string) => (value.trim() ? Number(value.trim()) : null);
/** What a field typed in the token's units sends: wei, as every amount in the API. */
const amount = (text: string, token: StreamsPlanToken, allowZero = false) =>
  (weiOf(text, token, allowZero) ?? 0n).toString();

/** The request's fields from what the form holds: only the fields of the plan's kind. */
export function planBody(values: PlanValues): StreamsPlanInput {
  const starts = isoFromDateTimeInput(values.starts_at);
  return {
    kind: values.kind,
    name: values.name.trim(),
    description: values.description.trim(),
    external_link: values.external_link.trim() || null,
    token: values.token,
    total_supply: countOrNull(values.total_supply),
    ...(starts ? { starts_at: starts } : {}),
    status: values.status,
    ...(values.kind !== 'usage'
      ? { price: amount(values.price, values.token), period: values.period }
      : {
          usage_price: amount(values.usage_price, values.token),
          min_usage: Number(values.min_usage.trim()),
          max_usage: Number(values.max_usage.trim()),
        }),
    ...(values.kind === 'vesting'
      ? {
          cliff_at: isoFromDateTimeInput(values.cliff_at) ?? '',
          start_amount: amount(values.start_amount, values.token, true),
        }
      : {}),
    month_limit: countOrNull(values.month_limit),
    grace_seconds: Math.round(Number(values.grace_hours.trim()) * 3600),
    background_color: values.background_color.trim().toLowerCase(),
  };
}

/** The form fields behind each field of the request, for sending only what changed. */
const sources: Partial<Record<keyof StreamsPlanInput, (keyof PlanValues)[]>> = {
  price: ['price', 'token'],
  start_amount: ['start_amount', 'token'],
  usage_price: ['usage_price', 'token'],
  grace_seconds: ['grace_hours'],
};

/**
 * A change to a saved plan: the fields that differ from what was loaded. A cliff date left alone is
 * not sent back (the field keeps minutes, the plan may have seconds, and a passed cliff may stay).
 */
export function planChanges(values: PlanValues, loaded: PlanValues): Partial<StreamsPlanInput> {
  const body = planBody(values);
  const changes: Partial<Record<keyof StreamsPlanInput, unknown>> = {};
  for (const [key, value] of Object.entries(body) as [keyof StreamsPlanInput, unknown][]) {
    if (key === 'kind') continue;
    const fields = sources[key] ?? [key as keyof PlanValues];
    if (fields.some((field) => values[field] !== loaded[field])) changes[key] = value;
  }
  return changes as Partial<StreamsPlanInput>;
}
