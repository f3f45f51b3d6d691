import { beforeAll, describe, expect, it } from 'vitest';
import { read, request, type TestTally, testTally } from '../../../test/support/app';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';
import { streamsDeps } from '../line';
import { makeStreamsDemo } from './demo';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

describe('the streams demo', () => {
  it('makes two producers with a plan of each kind, shown in the catalogue; again, nothing', async () => {
    expect(await makeStreamsDemo(streamsDeps(tally.context))).toEqual([
      'Northwind Weather (nora@streams.demo.tally.test) is paid at development account 8',
      'Northwind Weather offers "Forecast API" (stream)',
      'Northwind Weather offers "Storm alerts" (usage)',
      'Quiet Room Studio (omar@streams.demo.tally.test) is paid at development account 9',
      'Quiet Room Studio offers "Studio time" (stream)',
      'Quiet Room Studio offers "Spring season" (vesting)',
      'Amara Okafor, Bruno Costa and Chen Wei (development accounts 3, 4 and 5) subscribe when Tally runs on its embedded chain (npm start): within a minute, streams to "Forecast API" and "Studio time" start and uses of "Storm alerts" are bought',
    ]);
    const catalogue = await read(await request(tally, 'GET', '/api/streams/producers'));
    expect(catalogue.items.map((p: { name: string; open_plans: number }) => [p.name, p.open_plans])).toEqual([
      ['Northwind Weather', 2],
      ['Quiet Room Studio', 2],
    ]);
    const before = await snapshotTables(tally.database.db);
    expect(await makeStreamsDemo(streamsDeps(tally.context))).toEqual([]);
    await expectUnchanged(tally.database.db, before);
  });
});
