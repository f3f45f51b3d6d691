export const mailStateColors: Record<string, string> = {
  queued: 'blue',
  sending: 'blue',
  sent: 'teal',
  delivered: 'teal',
  failed: 'red',
};
