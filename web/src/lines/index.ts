import { coopLine } from './coop/line';
import { creditsLine } from './credits/line';
import { gatewayLine } from './gateway/line';
import { streamsLine } from './streams/line';
import type { WebLine } from './types';

/** The product lines, in the order the navigation and the home page show them. Adding a line is adding it here. */
export const webLines: WebLine[] = [streamsLine, gatewayLine, coopLine, creditsLine];
