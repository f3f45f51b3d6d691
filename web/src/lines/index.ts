import { coopLine } from './coop/line';
import { creditsLine } from './credits/line';
import { gatewayLine } from './gateway/line';
import { streamsLine } from './streams/line';
import type { WebLine } from './types';

const lines: WebLine[] = [streamsLine, gatewayLine, coopLine, creditsLine];

/** Whether a line's own pages exist (a line without them has only the page saying what it will do). */
export const isBuilt = (line: WebLine) => line.routes !== undefined;

/**
 * The product lines, in the order the navigation and the home page show them: the lines people can
 * use first, those still being built after, so nobody starts with a page that does nothing. Adding a
 * line is adding it here.
 */
export const webLines: WebLine[] = [...lines.filter(isBuilt), ...lines.filter((line) => !isBuilt(line))];
