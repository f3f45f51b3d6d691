import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  read,
  request,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';
import { expectUnchanged, snapshotTables } from '../../../test/support/snapshot';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, club } = coopApi(() => tally);

const SHEET = [
  'code;name;categories;unit;amount_per_package;packages;estimate;price;vat_percent;margin_percent;origin',
  'TOM;Cherry tomatoes;"Vegetables; organic";g;250;1;no;2,99;7;5;Lindenhof',
  'POT;Potatoes;vegetables;kg;1;1;yes;1.80;7;;',
  'EGG;Eggs;"eggs|organic";piece;1;6;no;3.60;7;5;Lindenhof',
].join('\n');

async function farmOf(): Promise<{
  clubId: string;
  liaison: TestPerson;
  member: TestPerson;
  producerId: string;
}> {
  const { id, members } = await club(2);
  const producer = await ok(201, 'POST', `/api/coop/clubs/${id}/producers`, members[0]!, {
    name: `Farm ${Math.random().toString(36).slice(2, 7)}`,
  });
  return { clubId: id, liaison: members[0]!, member: members[1]!, producerId: producer.id };
}

describe('a producer’s products as CSV', () => {
  it('previews a sheet row by row, saves it whole when asked, and reads back what it exports', async () => {
    const { clubId, liaison, producerId } = await farmOf();
    const path = `/api/coop/producers/${producerId}/products/import`;
    const before = await snapshotTables(tally.database.db, ['coop_products', 'coop_product_versions']);
    const preview = await ok(200, 'POST', path, liaison, { csv: SHEET });
    expect(preview).toMatchObject({
      saved: false,
      counts: { create: 3, update: 0, unchanged: 0, invalid: 0 },
    });
    expect(preview.rows.map((row: Body) => [row.line, row.code, row.action])).toEqual([
      [2, 'TOM', 'create'],
      [3, 'POT', 'create'],
      [4, 'EGG', 'create'],
    ]);
    await expectUnchanged(tally.database.db, before);

    const saved = await ok(200, 'POST', path, liaison, { csv: SHEET, save: true });
    expect(saved.saved).toBe(true);
    const listed = await ok(
      200,
      'GET',
      `/api/coop/clubs/${clubId}/products?producer_id=${producerId}`,
      liaison,
    );
    expect(
      listed.items.map((p: Body) => [p.code, p.price_cents, p.categories, p.estimate, p.packages]),
    ).toEqual([
      ['TOM', '299', ['vegetables', 'organic'], false, 1],
      ['EGG', '360', ['eggs', 'organic'], false, 6],
      ['POT', '180', ['vegetables'], true, 1],
    ]);

    // The export reads back as the same products: nothing to change.
    const exported = await request(tally, 'GET', `/api/coop/producers/${producerId}/products.csv`, {
      as: liaison,
    });
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await exported.text();
    expect(csv.split('\r\n')[0]).toBe(
      'code,name,description,categories,unit,amount_per_package,packages,estimate,maximum_available,price,vat_percent,margin_percent,origin,ingredients',
    );
    const again = await ok(200, 'POST', path, liaison, { csv, save: true });
    expect(again.counts).toEqual({ create: 0, update: 0, unchanged: 3, invalid: 0 });

    // A changed price is an update: a new version of that product only.
    const changed = await ok(200, 'POST', path, liaison, { csv: csv.replace('1.80', '1.95'), save: true });
    expect(changed.counts).toEqual({ create: 0, update: 1, unchanged: 2, invalid: 0 });
  });

  it('names every problem by line and column, and saves nothing while one remains', async () => {
    const { liaison, producerId } = await farmOf();
    const path = `/api/coop/producers/${producerId}/products/import`;
    const sheet = [
      'code,name,unit,amount_per_package,price,vat_percent,estimate',
      'A,Apples,kg,1,2.5,7,no',
      'B,,bushel,1,2.999,7,maybe',
      'A,Again,kg,0,-1,120,no',
    ].join('\n');
    const before = await snapshotTables(tally.database.db, ['coop_products', 'coop_product_versions']);
    const result = await ok(200, 'POST', path, liaison, { csv: sheet, save: true });
    expect(result.saved).toBe(false);
    expect(result.counts).toEqual({ create: 1, update: 0, unchanged: 0, invalid: 2 });
    const problems = (line: number) =>
      result.rows.find((row: Body) => row.line === line).problems.map((p: Body) => p.column);
    expect(problems(3)).toEqual(expect.arrayContaining(['name', 'unit', 'price', 'estimate']));
    expect(problems(4)).toEqual(
      expect.arrayContaining(['code', 'amount_per_package', 'price', 'vat_percent']),
    );
    await expectUnchanged(tally.database.db, before);
  });

  it('refuses a file it cannot read at all, and anyone who does not edit the producer', async () => {
    const { liaison, member, producerId } = await farmOf();
    const path = `/api/coop/producers/${producerId}/products/import`;
    const error = await refused('validation_failed', 400, 'POST', path, liaison, {
      csv: 'sku,title\nA,Apples',
    });
    expect(error.details).toMatchObject({ missing: expect.arrayContaining(['code', 'name', 'price']) });
    await refused('validation_failed', 400, 'POST', path, liaison, { csv: 'code,name\n"A,open' });
    await refused('forbidden', 403, 'POST', path, member, { csv: SHEET, save: true });
    const response = await request(tally, 'POST', path, { as: member, body: { csv: SHEET } });
    expect((await read(response)).error.code).toBe('forbidden');
  });
});
