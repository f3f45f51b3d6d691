import { csvAmount } from '../../../lib/table';
import { USDC, USDC_DECIMALS } from '../format';

/** A USDC amount in a CSV file: exact, with its asset (`0.0025 USDC`). */
export const usdcCsv = (micro: string | bigint) => csvAmount(micro, USDC_DECIMALS, USDC);
