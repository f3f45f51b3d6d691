import type { ReactNode } from 'react';
import type { Fact } from '../../../components/Facts';
import { formatDateTime, isoFromDateTimeInput } from '../../../lib/dates';
import {
  flowFigure,
  flowRateOf,
  formatTokenWei,
  formatWei,
  periodAmount,
  perPeriod,
  plural,
  tokenUnderlying,
} from '../format';
import type { PlanCardView } from './PlanCard';
import { DEFAULT_COLOUR, type PlanValues, weiOf } from './planValues';

/** The card as it will look with what is typed now. */
export function previewOf(values: PlanValues, imageUrl: string | null): PlanCardView {
  const token = values.token;
  const facts: Fact[] = [];
  let price = 'Its price';
  if (values.kind !== 'usage') {
    const wei = weiOf(values.price, token);
    const rate = wei === null ? null : flowRateOf(wei, values.period);
    if (rate !== null && rate > 0n) {
      price = `${formatTokenWei(periodAmount(rate, values.period), token)} ${perPeriod[values.period]}`;
      facts.push({ label: 'Flow rate', value: `${formatWei(rate)} wei a second` });
    }
  }
  if (values.kind === 'vesting') {
    const cliff = isoFromDateTimeInput(values.cliff_at);
    const start = weiOf(values.start_amount, token, true);
    facts.push(
      { label: 'Cliff date', value: cliff ? formatDateTime(cliff) : '—' },
      {
        label: 'Start amount',
        value: start === null ? '—' : `${formatTokenWei(start, token)}, paid at the cliff`,
      },
    );
  }
  if (values.kind === 'usage') {
    const each = weiOf(values.usage_price, token);
    if (each !== null) price = `${formatTokenWei(each, token)} a use`;
    const [min, max] = [values.min_usage.trim(), values.max_usage.trim()];
    facts.push({
      label: 'Uses',
      value: min && max ? `${Number(min).toLocaleString('en-US')} to ${plural(Number(max), 'use')}` : '—',
    });
  }
  facts.push({ label: 'Token', value: `${token} (wraps ${tokenUnderlying[token]})` });
  const supply = values.total_supply.trim();
  facts.push({
    label: 'Subscribers',
    value: supply ? `${Number(supply).toLocaleString('en-US')} at most` : 'No limit',
  });
  const limit = values.month_limit.trim();
  if (limit) facts.push({ label: 'Month limit', value: `${plural(Number(limit), 'use')} a month` });
  return {
    name: values.name.trim(),
    kind: values.kind,
    description: values.description.trim(),
    backgroundColor: /^#[0-9a-f]{6}$/i.test(values.background_color)
      ? values.background_color
      : DEFAULT_COLOUR,
    imageUrl,
    price,
    priceNote: values.kind !== 'usage' && values.period === 'month' ? 'A month is 30 days.' : undefined,
    facts,
  };
}

/** The line under a price: the flow rate it makes, and what a period really streams. */
export function flowLine(wei: bigint, values: PlanValues): ReactNode {
  const rate = flowRateOf(wei, values.period);
  if (rate <= 0n) return 'Less than one wei a second: too small to stream.';
  const really = periodAmount(rate, values.period);
  return (
    <>
      <span data-flow-rate>{flowFigure(wei, values.period, values.token)}</span>.{' '}
      {values.period === 'month' && 'A month is 30 days. '}
      {really === wei
        ? `Subscribers pay exactly ${formatTokenWei(really, values.token)} ${perPeriod[values.period]}.`
        : `A flow rate is whole wei a second, so ${perPeriod[values.period]} really costs ${formatTokenWei(really, values.token)}.`}
    </>
  );
}
