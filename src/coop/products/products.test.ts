import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Body,
  request,
  signedInPerson,
  type TestPerson,
  type TestTally,
  testTally,
} from '../../../test/support/app';
import { coopApi } from '../../../test/support/coop';

let tally: TestTally;

beforeAll(async () => {
  tally = await testTally();
});

const { ok, refused, club } = coopApi(() => tally);

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

const tomatoes = {
  name: 'Cherry tomatoes',
  code: 'TOM-250',
  description: 'Sweet, from the greenhouse',
  categories: ['Vegetables', ' vegetables ', 'Organic'],
  unit: 'g',
  amount_per_package: '250',
  packages: 1,
  price: '2.99',
  vat_percent: '7',
  margin_percent: '5',
  origin: 'Lindenhof',
};

async function producerOf(
  clubId: string,
  liaison: TestPerson,
  name = `Farm ${Math.random().toString(36).slice(2, 7)}`,
) {
  return ok(201, 'POST', `/api/coop/clubs/${clubId}/producers`, liaison, {
    name,
    contact_email: 'farm@example.com',
    phone_number: '+49 30 1234567',
    location: 'Brandenburg',
    details: 'Vegetables, delivered on Fridays',
  });
}

describe('producers', () => {
  it('keep where they are paid: a checked IBAN, shown to the liaison and the bookkeeper only', async () => {
    const { id, admin, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const farm = await producerOf(id, ana, 'Sunny Acres');
    const mistyped = await refused('validation_failed', 400, 'PATCH', `/api/coop/producers/${farm.id}`, ana, {
      iban: 'DE89 3704 0044 0532 0130 01',
    });
    expect(mistyped).toMatchObject({
      message: 'iban: the check digits do not match: a character is mistyped',
      details: { field: 'iban' },
    });
    const paid = await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, ana, {
      iban: 'de89370400440532013000',
      account_holder: 'Sunny Acres GbR',
    });
    expect(paid).toMatchObject({ iban: 'DE89 3704 0044 0532 0130 00', account_holder: 'Sunny Acres GbR' });
    await ok(200, 'PATCH', `/api/orgs/${id}/members/${ben.userId}`, admin, { role: 'bookkeeper' });
    expect(await ok(200, 'GET', `/api/coop/producers/${farm.id}`, ben)).toMatchObject({
      iban: 'DE89 3704 0044 0532 0130 00',
    });
    const third = await signedInPerson(tally);
    await ok(
      200,
      'POST',
      `/api/coop/invite-links/${(await ok(201, 'POST', `/api/coop/clubs/${id}/invite-links`, admin)).url.split('/').pop()}/join`,
      third,
    );
    expect(await ok(200, 'GET', `/api/coop/producers/${farm.id}`, third)).toMatchObject({
      iban: null,
      account_holder: null,
    });
    expect(await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, ana, { iban: '' })).toMatchObject({
      iban: null,
    });
  });

  it('are added by any member, who becomes the liaison and may hand the role on', async () => {
    const { id, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const farm = await producerOf(id, ana, 'Lindenhof');
    expect(farm).toMatchObject({
      name: 'Lindenhof',
      contact_email: 'farm@example.com',
      liaison: { user_id: ana.userId, name: 'Member 1' },
      editor_policy: 'liaison',
      has_photo: false,
      my_rights: { runs: true, edits_products: true },
    });
    expect((await ok(200, 'GET', `/api/coop/producers/${farm.id}`, ben)).my_rights).toEqual({
      runs: false,
      edits_products: false,
    });
    await refused('producer_name_taken', 409, 'POST', `/api/coop/clubs/${id}/producers`, ben, {
      name: 'lindenhof',
    });
    await refused('forbidden', 403, 'PATCH', `/api/coop/producers/${farm.id}`, ben, {
      location: 'Elsewhere',
    });
    const handed = await ok(200, 'POST', `/api/coop/producers/${farm.id}/liaison`, ana, {
      user_id: ben.userId,
    });
    expect(handed.liaison.user_id).toBe(ben.userId);
    // Ana no longer runs it; Ben does.
    await refused('forbidden', 403, 'PATCH', `/api/coop/producers/${farm.id}`, ana, {
      location: 'Elsewhere',
    });
    await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, ben, { location: 'Elsewhere' });
    const stranger = await signedInPerson(tally);
    await refused('validation_failed', 400, 'POST', `/api/coop/producers/${farm.id}/liaison`, ben, {
      user_id: stranger.userId,
    });
    await refused('not_found', 404, 'GET', `/api/coop/producers/${farm.id}`, stranger);
  });

  it('say who edits their products: the liaison, every member, or the members listed; and who sorts', async () => {
    const { id, admin, members } = await club(3);
    const [ana, ben, cy] = members as [TestPerson, TestPerson, TestPerson];
    const farm = await producerOf(id, ana);
    await refused('forbidden', 403, 'POST', `/api/coop/producers/${farm.id}/products`, ben, tomatoes);
    const listed = await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, ana, {
      editor_policy: 'members',
      editors: [ben.userId],
      sorters: [cy.userId, ben.userId],
    });
    expect(listed).toMatchObject({ editors: [ben.userId], sorters: [ben.userId, cy.userId].sort() });
    await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, ben, tomatoes);
    // An editor edits the products only: not the producer, its liaison or its people.
    await refused('forbidden', 403, 'PATCH', `/api/coop/producers/${farm.id}`, ben, { details: 'Mine now' });
    await refused('forbidden', 403, 'POST', `/api/coop/producers/${farm.id}/liaison`, ben, {
      user_id: ben.userId,
    });
    await refused('forbidden', 403, 'PATCH', `/api/coop/producers/${farm.id}`, ben, { editors: [cy.userId] });
    await refused('forbidden', 403, 'POST', `/api/coop/producers/${farm.id}/products`, cy, {
      ...tomatoes,
      code: 'X',
    });
    await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, ana, { editor_policy: 'all_members' });
    await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, cy, { ...tomatoes, code: 'X' });
    // The Admin runs every producer: its details, its products and its liaison.
    await ok(200, 'PATCH', `/api/coop/producers/${farm.id}`, admin, { editor_policy: 'liaison' });
    await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, admin, { ...tomatoes, code: 'ADMIN' });
    const handed = await ok(200, 'POST', `/api/coop/producers/${farm.id}/liaison`, admin, {
      user_id: cy.userId,
    });
    expect(handed.liaison.user_id).toBe(cy.userId);
  });

  it('keep a photo the club’s members see, an image checked by its bytes', async () => {
    const { id, members } = await club(1);
    const farm = await producerOf(id, members[0]!);
    const upload = (bytes: Buffer, name: string, as: TestPerson) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), name);
      return tally.http.request(`/api/coop/producers/${farm.id}/photo`, {
        method: 'PUT',
        headers: { cookie: as.cookie, 'x-requested-with': 'tally-web' },
        body: form,
      });
    };
    const notImage = await upload(Buffer.from('%PDF-1.7 not a photo'), 'farm.png', members[0]!);
    expect(notImage.status).toBe(415);
    const saved = await upload(PNG, 'farm.png', members[0]!);
    expect(saved.status).toBe(200);
    const photo = await request(tally, 'GET', `/api/coop/producers/${farm.id}/photo`, { as: members[0]! });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    const stranger = await signedInPerson(tally);
    expect(
      (await request(tally, 'GET', `/api/coop/producers/${farm.id}/photo`, { as: stranger })).status,
    ).toBe(404);
  });
});

describe('products', () => {
  it('keep every field of the seed exactly, with the member’s price computed by the club’s rule', async () => {
    const { id, members } = await club(1);
    const farm = await producerOf(id, members[0]!);
    const product = await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, members[0]!, {
      ...tomatoes,
      maximum_available: 40,
      ingredients: 'Tomatoes',
    });
    expect(product).toMatchObject({
      version: 1,
      name: 'Cherry tomatoes',
      code: 'TOM-250',
      categories: ['vegetables', 'organic'],
      unit: 'g',
      amount_per_package: '250.000',
      packages: 1,
      estimate: false,
      maximum_available: 40,
      price_cents: '299',
      vat_basis_points: 700,
      margin_basis_points: 500,
      origin: 'Lindenhof',
      ingredients: 'Tomatoes',
      producer_name: farm.name,
      // 2.99 × 1.05 = 3.1395 → 3.14; + 7 % VAT 0.2198 → 0.22: 3.36.
      member_price_cents: '336',
    });
  });

  it('refuses what cannot be a product, changing nothing', async () => {
    const { id, members } = await club(1);
    const liaison = members[0]!;
    const farm = await producerOf(id, liaison);
    const path = `/api/coop/producers/${farm.id}/products`;
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, price: '2.999' });
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, price: '-1' });
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, vat_percent: '101' });
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, amount_per_package: '0' });
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, unit: 'bushel' });
    await refused('validation_failed', 400, 'POST', path, liaison, { ...tomatoes, name: '  ' });
    await ok(201, 'POST', path, liaison, tomatoes);
    await refused('product_code_taken', 409, 'POST', path, liaison, { ...tomatoes, code: 'tom-250' });
  });

  it('keep their history: a change is a new version, and the old one stays as it was', async () => {
    const { id, members } = await club(1);
    const liaison = members[0]!;
    const farm = await producerOf(id, liaison);
    const first = await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, liaison, tomatoes);
    const changed = await ok(200, 'PATCH', `/api/coop/products/${first.id}`, liaison, { price: '3.19' });
    expect(changed).toMatchObject({ version: 2, price_cents: '319', name: 'Cherry tomatoes' });
    // The same values again make no version.
    const same = await ok(200, 'PATCH', `/api/coop/products/${first.id}`, liaison, { price: '3.19' });
    expect(same.version).toBe(2);
    const read = await ok(200, 'GET', `/api/coop/products/${first.id}`, liaison);
    expect(read.versions.map((v: Body) => [v.version, v.price_cents])).toEqual([
      [2, '319'],
      [1, '299'],
    ]);
  });

  it('are browsed by category, by producer and by words, and archived ones leave the catalogue', async () => {
    const { id, members } = await club(2);
    const [ana, ben] = members as [TestPerson, TestPerson];
    const farm = await producerOf(id, ana, 'Lindenhof');
    const dairy = await producerOf(id, ben, 'Milk & Co');
    await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, ana, tomatoes);
    const potatoes = await ok(201, 'POST', `/api/coop/producers/${farm.id}/products`, ana, {
      ...tomatoes,
      name: 'Potatoes',
      code: 'POT',
      categories: ['vegetables'],
      unit: 'kg',
      amount_per_package: '1',
      estimate: true,
      price: '1.80',
    });
    await ok(201, 'POST', `/api/coop/producers/${dairy.id}/products`, ben, {
      ...tomatoes,
      name: 'Whole milk',
      code: 'MILK-1',
      categories: ['dairy', 'organic'],
      unit: 'l',
      amount_per_package: '1',
    });
    const names = async (query: string) =>
      (await ok(200, 'GET', `/api/coop/clubs/${id}/products${query}`, ben)).items.map((p: Body) => p.name);
    expect(await names('')).toEqual(['Cherry tomatoes', 'Potatoes', 'Whole milk']);
    expect(await names('?category=Organic')).toEqual(['Cherry tomatoes', 'Whole milk']);
    expect(await names(`?producer_id=${dairy.id}`)).toEqual(['Whole milk']);
    expect(await names('?q=milk')).toEqual(['Whole milk']);
    expect(await names('?q=lindenhof potato')).toEqual(['Potatoes']);
    expect(await names('?q=100%25')).toEqual([]);
    const categories = await ok(200, 'GET', `/api/coop/clubs/${id}/categories`, ben);
    expect(categories.items).toEqual([
      { category: 'dairy', products: 1 },
      { category: 'organic', products: 2 },
      { category: 'vegetables', products: 2 },
    ]);
    await refused('forbidden', 403, 'POST', `/api/coop/products/${potatoes.id}/archive`, ben);
    await ok(200, 'POST', `/api/coop/products/${potatoes.id}/archive`, ana);
    expect(await names('?category=vegetables')).toEqual(['Cherry tomatoes']);
    expect(await names('?archived=true&category=vegetables')).toEqual(['Cherry tomatoes', 'Potatoes']);
    const stranger = await signedInPerson(tally);
    await refused('not_found', 404, 'GET', `/api/coop/clubs/${id}/products`, stranger);
    await refused('not_found', 404, 'GET', `/api/coop/products/${potatoes.id}`, stranger);
  });
});
