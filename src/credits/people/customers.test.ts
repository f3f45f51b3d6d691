import { describe, expect, it } from 'vitest';
import { reportedType, typeAfterPurchase } from './customers';

const RESELLER = '01900000-0000-7000-8000-00000000000a';
const OTHER_RESELLER = '01900000-0000-7000-8000-00000000000b';

describe('the type a purchase leaves a person with', () => {
  const generic = { type: 'generic' as const, ownerUserId: null };
  const whitelabel = { type: 'whitelabel' as const, ownerUserId: null };
  const underWhitelabel = { type: 'under_whitelabel' as const, ownerUserId: RESELLER };

  it('is what a first purchase is', () => {
    expect(typeAfterPurchase(null, generic)).toEqual({ type: 'generic', resellerUserId: null });
    expect(typeAfterPurchase(null, whitelabel)).toEqual({ type: 'whitelabel', resellerUserId: null });
    expect(typeAfterPurchase(null, underWhitelabel)).toEqual({
      type: 'under_whitelabel',
      resellerUserId: RESELLER,
    });
  });

  it('rises generic < under_whitelabel < whitelabel, and never falls', () => {
    const asGeneric = { type: 'generic' as const, resellerUserId: null };
    expect(typeAfterPurchase(asGeneric, underWhitelabel)).toEqual({
      type: 'under_whitelabel',
      resellerUserId: RESELLER,
    });
    expect(typeAfterPurchase(asGeneric, whitelabel).type).toBe('whitelabel');
    const asCustomer = { type: 'under_whitelabel' as const, resellerUserId: RESELLER };
    expect(typeAfterPurchase(asCustomer, generic)).toEqual(asCustomer);
    expect(typeAfterPurchase(asCustomer, whitelabel)).toEqual({
      type: 'whitelabel',
      resellerUserId: RESELLER,
    });
    const asReseller = { type: 'whitelabel' as const, resellerUserId: null };
    expect(typeAfterPurchase(asReseller, generic)).toEqual(asReseller);
    expect(typeAfterPurchase(asReseller, underWhitelabel)).toEqual({
      type: 'whitelabel',
      resellerUserId: RESELLER,
    });
  });

  it('keeps the first reseller a person bought from', () => {
    const asCustomer = { type: 'under_whitelabel' as const, resellerUserId: RESELLER };
    expect(typeAfterPurchase(asCustomer, { type: 'under_whitelabel', ownerUserId: OTHER_RESELLER })).toEqual(
      asCustomer,
    );
  });

  it('is reported as admin for administrators, whatever they bought', () => {
    expect(reportedType(true, 'whitelabel')).toBe('admin');
    expect(reportedType(true, null)).toBe('admin');
    expect(reportedType(false, 'generic')).toBe('generic');
    expect(reportedType(false, null)).toBeNull();
  });
});
