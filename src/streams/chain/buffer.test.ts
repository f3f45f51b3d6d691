import { beforeAll, describe, expect, it } from 'vitest';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import { amountToStream, bufferFor, type FlowTerms, readFlowTerms, runOutOf } from './buffer';
import { type StreamsChain, startStreamsChain } from './test-fixtures';

const unit = 2n ** 32n;
/** SuperfluidFrameworkDeployer's defaults, which the embedded chain keeps. */
const devTerms: FlowTerms = { liquidationPeriod: 4n * 3600n, patricianPeriod: 30n * 60n, minimumDeposit: 0n };
/** 10 DAI a month of 30 days, the seed's example rate. */
const tenDaiAMonth = 3_858_024_691_358n;

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('no refusal');
}

describe('bufferFor', () => {
  it('is flow rate × liquidation period, rounded up to a multiple of 2³² wei', () => {
    expect(bufferFor(unit, { ...devTerms, liquidationPeriod: 1n })).toBe(unit);
    expect(bufferFor(unit + 1n, { ...devTerms, liquidationPeriod: 1n })).toBe(2n * unit);
    expect(bufferFor(1n, devTerms)).toBe(unit);
    const exact = tenDaiAMonth * devTerms.liquidationPeriod;
    expect(bufferFor(tenDaiAMonth, devTerms)).toBe((exact / unit + 1n) * unit);
    expect(bufferFor(tenDaiAMonth, devTerms) - exact).toBeLessThan(unit);
  });

  it('never falls below the token’s minimum deposit', () => {
    const terms = { ...devTerms, minimumDeposit: 10n ** 18n };
    expect(bufferFor(1n, terms)).toBe(10n ** 18n);
    expect(bufferFor(2n ** 50n, terms)).toBe(2n ** 50n * devTerms.liquidationPeriod);
  });

  it('refuses a rate the agreement would revert on', () => {
    for (const rate of [0n, -1n, 2n ** 95n])
      expect(refusal(() => bufferFor(rate, devTerms)).code).toBe('validation_failed');
    const highest = (2n ** 95n - 1n) / devTerms.liquidationPeriod;
    expect(bufferFor(highest, devTerms)).toBeGreaterThan(0n);
    expect(refusal(() => bufferFor(highest + 1n, devTerms)).message).toMatch(/does not fit in an int96/);
  });

  it('adds the prepaid seconds to the buffer for what a checkout wraps', () => {
    expect(amountToStream(tenDaiAMonth, devTerms, 30n * 86_400n)).toBe(
      bufferFor(tenDaiAMonth, devTerms) + tenDaiAMonth * 30n * 86_400n,
    );
    expect(refusal(() => amountToStream(tenDaiAMonth, devTerms, -1n)).code).toBe('validation_failed');
  });
});

describe('runOutOf', () => {
  const at = 1_000n;
  const position = { timestamp: at, deposit: 50n, owedDeposit: 0n };

  it('a balance falling by r is critical one second after ⌊balance / r⌋', () => {
    expect(runOutOf({ ...position, availableBalance: 100n, netFlowRate: -10n })).toEqual({
      lastsSeconds: 10n,
      criticalAt: at + 11n,
      insolventAt: at + 16n,
    });
    expect(runOutOf({ ...position, availableBalance: 109n, netFlowRate: -10n })).toEqual({
      lastsSeconds: 10n,
      criticalAt: at + 11n,
      insolventAt: at + 16n,
    });
    expect(runOutOf({ ...position, availableBalance: 0n, netFlowRate: -10n })).toEqual({
      lastsSeconds: 0n,
      criticalAt: at + 1n,
      insolventAt: at + 6n,
    });
  });

  it('a negative balance is critical already, and insolvent once it eats the deposit', () => {
    expect(runOutOf({ ...position, availableBalance: -1n, netFlowRate: -10n })).toEqual({
      lastsSeconds: 0n,
      criticalAt: at,
      insolventAt: at + 5n,
    });
    expect(runOutOf({ ...position, availableBalance: -51n, netFlowRate: -10n })).toEqual({
      lastsSeconds: 0n,
      criticalAt: at,
      insolventAt: at,
    });
  });

  it('a balance that does not fall never runs out; owed deposit is not locked', () => {
    for (const netFlowRate of [0n, 10n])
      expect(runOutOf({ ...position, availableBalance: 5n, netFlowRate })).toEqual({
        lastsSeconds: null,
        criticalAt: null,
        insolventAt: null,
      });
    expect(
      runOutOf({ timestamp: at, deposit: 50n, owedDeposit: 80n, availableBalance: 10n, netFlowRate: -1n }),
    ).toEqual({ lastsSeconds: 10n, criticalAt: at + 11n, insolventAt: at + 11n });
  });
});

describe('the buffer on the embedded chain', () => {
  let streams: StreamsChain;
  beforeAll(async () => {
    streams = await startStreamsChain();
  });

  it('reads the liquidation and patrician periods the governance holds for the token', async () => {
    expect(await readFlowTerms(streams.publicClient, streams.daix)).toEqual(devTerms);
    expect(await readFlowTerms(streams.publicClient, streams.usdcx)).toEqual(devTerms);
  });

  it('computes the deposit the agreement asks for every rate', async () => {
    const terms = await readFlowTerms(streams.publicClient, streams.daix);
    for (const rate of [
      1n,
      unit - 1n,
      unit,
      tenDaiAMonth,
      385_802_469_135_802n,
      (2n ** 95n - 1n) / 14_400n,
    ]) {
      const chain = await streams.publicClient.readContract({
        address: streams.daix.cfa,
        abi: cfaV1Abi,
        functionName: 'getDepositRequiredForFlowRate',
        args: [streams.daix.superToken, rate],
      });
      expect(bufferFor(rate, terms), `rate ${rate}`).toBe(chain);
    }
  });
});
