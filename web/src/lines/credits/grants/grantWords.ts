/** How a grant came, in words. */
export const grantSourceLabels: Record<string, string> = {
  purchase: 'Bought',
  refill: 'Refill',
  rollover: 'Rolled over',
  adjustment: 'Added by an administrator',
};
