/**
 * What Tally signs for the people who pay through it: a receipt on every paid result and a quote
 * per tool in `tools/list`. Both are signed statements (`core/signed.ts`) under the purposes below;
 * the public keys are published at `GET /api/gateway/keys`, so anyone can check them.
 */
export const SIGNING_PURPOSES = { receipts: 'gateway.receipts', quotes: 'gateway.quotes' } as const;

export interface Receipt {
  call_id: string;
  server: string;
  tool: string;
  /** SHA-256 of the request Tally received (method, tool, arguments), hex. */
  request_hash: string;
  price: string;
  asset: 'USDC';
  /** What the payer's balance was once this call was charged, micro-USDC. */
  balance_after: string;
  served_at: string;
}

export interface Quote {
  server: string;
  tool: string;
  price: string;
  /** The most a call can cost: the price is fixed per call. */
  maximum: string;
  asset: 'USDC';
  refund: string;
  valid_until: string;
}

export const REFUND_RULE = 'charged only when the tool succeeds: an error or a timeout releases the hold';
