import { coopLine } from './coop/line';
import { creditsLine } from './credits/line';
import { gatewayLine } from './gateway/line';
import type { ProductLine } from './product-line';
import { streamsLine } from './streams/line';

/** Tally's product lines. Adding a line is adding it here; nothing else in the core changes. */
export const productLines: readonly ProductLine[] = [gatewayLine, creditsLine, coopLine, streamsLine];
