import { cleanup, screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedInPerson, type TestPerson } from '../../test/support/app';
import { freshEmail, ok } from '../../test/support/credits';
import { installInputApis } from './support/credits-stage';
import { field, fieldError, formAlert, tallyPages } from './support/pages';

/**
 * The coop line's forms where they fail: a household name taken, a wrong join code, a CSV file with
 * a bad row; and what each person is offered by their role. The stage is set through the real API.
 */

const pages = tallyPages();

beforeAll(async () => {
  installInputApis();
  // The line's pages are a bundle of their own: loaded once here, not within the first test's wait.
  await import('../src/lines/coop/CoopPages');
});

let names = 0;
const fresh = (what: string) => `${what} ${++names}`;

const person = (name: string) => signedInPerson(pages.tally, { name, email: freshEmail(name.toLowerCase()) });

interface Club {
  id: string;
  name: string;
}

/** A club its Admin started, with the people given joining it through an invite link. */
async function clubWith(
  admin: TestPerson,
  members: TestPerson[] = [],
  joinCodeRequired = true,
): Promise<Club> {
  const club = await ok(pages.tally, 201, 'POST', '/api/coop/clubs', {
    as: admin,
    body: { name: fresh('Plenty'), join_code_required: joinCodeRequired },
  });
  const { url } = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/invite-links`, {
    as: admin,
  });
  const token = String(url).split('/coop/join/')[1];
  for (const member of members) {
    await ok(pages.tally, 200, 'POST', `/api/coop/invite-links/${token}/join`, { as: member });
  }
  return club;
}

const household = (club: Club, as: TestPerson, name: string) =>
  ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/households`, { as, body: { name } });

const csvFile = (text: string) => new File([text], 'products.csv', { type: 'text/csv' });

/** The file input inside `container` (Mantine's FileInput keeps it hidden beside its button). */
const fileInput = (container: HTMLElement) => {
  const input = container.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error('no file input');
  return input;
};

/** A Select's text input by its name (its listbox carries the same name). */
const roleInput = (name: string) => {
  const input = screen
    .getAllByLabelText(name)
    .find((element) => element.tagName === 'INPUT' && element.getAttribute('type') !== 'hidden');
  if (!input) throw new Error(`no input named ${name}`);
  return input as HTMLInputElement;
};

const section = (name: string) => screen.getByRole('region', { name });

async function upload(user: UserEvent, container: HTMLElement, file: File) {
  await user.upload(fileInput(container), file);
}

describe('households', () => {
  it('shows a household name already taken on the name field, and keeps what was typed', async () => {
    const admin = await person('Ada');
    const bob = await person('Bob');
    const club = await clubWith(admin, [bob]);
    await household(club, admin, 'The Millers');
    pages.signIn(bob);
    const { user } = await pages.render(`/coop/clubs/${club.id}`);
    const form = await screen.findByRole('form', { name: 'Start a household' });
    await user.type(field(form, /^Name of the household/), 'The Millers');
    await user.click(within(form).getByRole('button', { name: 'Start the household' }));
    const name = field(form, /^Name of the household/);
    await waitFor(() =>
      expect(fieldError(name)).toMatch(/household called "The Millers" exists in this club already/),
    );
    expect(name.value).toBe('The Millers');
    expect(formAlert(form)).toBeNull();
  });

  it('refuses a wrong join code on the code field, then lets the person in with the right one', async () => {
    const admin = await person('Ada');
    const carol = await person('Carol');
    const dan = await person('Dan');
    const club = await clubWith(admin, [carol, dan]);
    const home = await household(club, carol, 'Carol’s flat');
    const request = await ok(pages.tally, 201, 'POST', `/api/coop/households/${home.id}/join-requests`, {
      as: dan,
      body: { message: 'I moved in with Carol in May.' },
    });

    // Dan sees the code to read out, and what to do with it.
    pages.signIn(dan);
    await pages.render(`/coop/clubs/${club.id}`);
    expect(screen.getByLabelText('Your code').textContent).toBe(request.code);
    expect(screen.getByText(/Tell this code to a member of/)).toBeTruthy();

    pages.signIn(carol);
    const { user } = await pages.render(`/coop/clubs/${club.id}/households/${home.id}`);
    const form = await screen.findByRole('form', { name: 'Request from Dan' });
    expect(within(form).getByText('“I moved in with Carol in May.”')).toBeTruthy();
    expect(within(form).getByText(new RegExp(dan.email))).toBeTruthy();
    const code = field(form, /^Code they read out/);
    await user.click(within(form).getByRole('button', { name: 'Let Dan in' }));
    expect(fieldError(code)).toBe('Enter the four digits Dan reads out to you');
    const wrong = request.code === '1234' ? '4321' : '1234';
    await user.type(code, wrong);
    await user.click(within(form).getByRole('button', { name: 'Let Dan in' }));
    await waitFor(() => expect(fieldError(code)).toMatch(/not the code shown to the person who asked/));
    expect(code.value).toBe(wrong);

    await user.clear(code);
    await user.type(code, request.code);
    await user.click(within(form).getByRole('button', { name: 'Let Dan in' }));
    const members = section('Members');
    await waitFor(() => expect(within(members).getByText('Dan')).toBeTruthy());
    expect(await screen.findByText('Nobody is waiting')).toBeTruthy();
  });

  it('lets the club’s admin approve without a code', async () => {
    const admin = await person('Ada');
    const erin = await person('Erin');
    const frank = await person('Frank');
    const club = await clubWith(admin, [erin, frank]);
    const home = await household(club, erin, 'Erin’s house');
    await ok(pages.tally, 201, 'POST', `/api/coop/households/${home.id}/join-requests`, {
      as: frank,
      body: {},
    });
    pages.signIn(admin);
    // The club's home lists every request waiting in the club for its admin, each leading to its household.
    const { user } = await pages.render(`/coop/clubs/${club.id}`);
    const waiting = await screen.findByRole('table', { name: 'Waiting join requests' });
    const row = within(waiting).getByRole('row', { name: /Frank/ });
    await user.click(within(row).getByRole('link', { name: 'Erin’s house' }));
    const form = await screen.findByRole('form', { name: 'Request from Frank' });
    expect(within(form).queryByLabelText(/^Code they read out/)).toBeNull();
    await user.click(within(form).getByRole('button', { name: 'Let Frank in' }));
    await waitFor(() => expect(within(section('Members')).getByText('Frank')).toBeTruthy());
  });
});

describe('what each role is offered', () => {
  it('shows a member neither the invite links, the settings nor role changes', async () => {
    const admin = await person('Ada');
    const gus = await person('Gus');
    const club = await clubWith(admin, [gus]);
    pages.signIn(gus);
    await pages.render(`/coop/clubs/${club.id}`);
    await screen.findByRole('region', { name: 'The club' });
    expect(screen.queryByRole('region', { name: 'Waiting to join a household' })).toBeNull();
    cleanup();
    await pages.render(`/coop/clubs/${club.id}/members`);
    const tabs = screen.getByRole('tablist', { name: club.name });
    const tabNames = within(tabs)
      .getAllByRole('tab')
      .map((tab) => tab.textContent);
    expect(tabNames).toEqual(['Home', 'Orders', 'Households', 'Producers', 'Products', 'Members']);
    await screen.findByRole('heading', { level: 1, name: 'Members' });
    expect(screen.queryByLabelText(/^Role of/)).toBeNull();
    expect(screen.queryByRole('button', { name: /^Remove/ })).toBeNull();
  });

  it('gives the admin the members’ roles, the invite links and the settings', async () => {
    const admin = await person('Ada');
    const hal = await person('Hal');
    const club = await clubWith(admin, [hal]);
    pages.signIn(admin);
    const { user } = await pages.render(`/coop/clubs/${club.id}/members`);
    const tabs = screen.getByRole('tablist', { name: club.name });
    expect(
      within(tabs)
        .getAllByRole('tab')
        .map((tab) => tab.textContent),
    ).toEqual([
      'Home',
      'Orders',
      'Households',
      'Producers',
      'Products',
      'Bank',
      'Accounts',
      'Members & roles',
      'Invite links',
      'Settings',
    ]);
    const role = await waitFor(() => roleInput('Role of Hal'));
    await user.click(role);
    // In a table's scroll area, jsdom's boxes make the dropdown look scrolled out of view (hidden).
    await user.click(await screen.findByRole('option', { name: 'Bookkeeper', hidden: true }));
    await waitFor(() => expect(roleInput('Role of Hal').value).toBe('Bookkeeper'));
    const members = await ok(pages.tally, 200, 'GET', `/api/orgs/${club.id}/members`, { as: admin });
    expect(members.items.find((m: { user_id: string }) => m.user_id === hal.userId).role).toBe('bookkeeper');
  });

  it('sends a member who opens the settings away with the reason', async () => {
    const admin = await person('Ada');
    const ivy = await person('Ivy');
    const club = await clubWith(admin, [ivy]);
    pages.signIn(ivy);
    await pages.render(`/coop/clubs/${club.id}/settings`);
    expect(screen.getByText('Only the club’s Admin changes its settings.')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Club settings' })).toBeNull();
  });
});

describe('producers and products', () => {
  const HEADER = 'code,name,categories,unit,amount_per_package,price,vat_percent,margin_percent';

  it('shows each bad row of a CSV file with its problems, and offers no Save until the file is right', async () => {
    const admin = await person('Ada');
    const club = await clubWith(admin);
    const producer = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, {
      as: admin,
      body: { name: 'Green Acres' },
    });
    pages.signIn(admin);
    const { user } = await pages.render(`/coop/clubs/${club.id}/producers/${producer.id}`);
    const importing = section('Import products from CSV');
    await upload(
      user,
      importing,
      csvFile(`${HEADER}\nAPL,Apples,Fruit,kg,1,2.99,7,5\nCAR,Carrots,Vegetables,bag,1,abc,7,\n`),
    );
    await user.click(within(importing).getByRole('button', { name: 'Check the file' }));
    const rows = await within(importing).findByRole('table', { name: 'Rows of the file' });
    const bad = within(rows).getByRole('row', { name: /Carrots/ });
    expect(within(bad).getByText('Invalid')).toBeTruthy();
    expect(bad.textContent).toMatch(/unit: “bag” is not one of/);
    expect(bad.textContent).toMatch(/price: “abc” is not a number/);
    expect(within(rows).getByRole('row', { name: /Apples/ }).textContent).toMatch(/New product/);
    expect(within(importing).getByText('Nothing can be saved yet')).toBeTruthy();
    expect(within(importing).queryByRole('button', { name: /^Save all/ })).toBeNull();
    expect(
      pages.sent.filter((r) => r.method === 'POST').map((r) => (r.body as { save: boolean }).save),
    ).toEqual([false]);

    await upload(
      user,
      importing,
      csvFile(`${HEADER}\nAPL,Apples,Fruit,kg,1,2.99,7,5\nCAR,Carrots,Vegetables,kg,1,1.20,7,\n`),
    );
    await user.click(within(importing).getByRole('button', { name: 'Check the file' }));
    await user.click(await within(importing).findByRole('button', { name: 'Save all (2 new, 0 changes)' }));
    const products = await screen.findByRole('table', { name: 'Products of Green Acres' });
    // 2.99 × 1.05 = 3.1395 → 3.14 net; 7 % VAT 0.2198 → 0.22: 3.36 a kg.
    await waitFor(() =>
      expect(within(products).getByRole('row', { name: /Apples/ }).textContent).toMatch(/€3\.36 per kg/),
    );
  });

  it('places a reference already used on the reference field, and shows the member price as it is typed', async () => {
    const admin = await person('Ada');
    const club = await clubWith(admin);
    const producer = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, {
      as: admin,
      body: { name: 'Hill Farm' },
    });
    await ok(pages.tally, 201, 'POST', `/api/coop/producers/${producer.id}/products`, {
      as: admin,
      body: {
        name: 'Eggs',
        code: 'EGG',
        unit: 'piece',
        amount_per_package: '6',
        price: '0.40',
        vat_percent: '7',
      },
    });
    pages.signIn(admin);
    const { user } = await pages.render(`/coop/clubs/${club.id}/producers/${producer.id}`);
    const form = screen.getByRole('form', { name: 'Add a product' });
    await user.type(field(form, /^Name/), 'Brown eggs');
    await user.type(field(form, /^Reference/), 'egg');
    await user.type(field(form, /^Producer’s price/), '2,99');
    await user.type(field(form, /^Club margin/), '5');
    expect(within(form).getByTestId('member-price-preview').textContent).toBe(
      'A member will pay €3.36 per piece, VAT included.',
    );
    await user.click(within(form).getByRole('button', { name: 'Add the product' }));
    await waitFor(() => expect(fieldError(field(form, /^Reference/))).toMatch(/reference "egg" already/));
    expect(field(form, /^Name/).value).toBe('Brown eggs');
  });

  it('does not offer a member who is not an editor the product forms', async () => {
    const admin = await person('Ada');
    const jo = await person('Jo');
    const club = await clubWith(admin, [jo]);
    const producer = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/producers`, {
      as: admin,
      body: { name: 'Valley Dairy' },
    });
    pages.signIn(jo);
    await pages.render(`/coop/clubs/${club.id}/producers/${producer.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Valley Dairy' });
    expect(screen.queryByRole('form', { name: 'Add a product' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Import products from CSV' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Hand the liaison role over' })).toBeNull();
    expect(screen.getByText(/adds Valley Dairy’s products/)).toBeTruthy();
  });
});

describe('an invite link', () => {
  it('sends a visitor to log in and back, and joins a signed-in person to the club', async () => {
    const admin = await person('Ada');
    const club = await ok(pages.tally, 201, 'POST', '/api/coop/clubs', {
      as: admin,
      body: { name: fresh('Plenty') },
    });
    const { url } = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/invite-links`, {
      as: admin,
    });
    const path = new URL(url).pathname;

    pages.signIn(null);
    await pages.render(path);
    await screen.findByRole('heading', { level: 1, name: `Join ${club.name}` });
    expect(screen.getByRole('link', { name: 'Log in to join' }).getAttribute('href')).toBe(
      `/login?next=${encodeURIComponent(path)}`,
    );

    const kim = await person('Kim');
    pages.signIn(kim);
    const { user, router } = await pages.render(path);
    await user.click(await screen.findByRole('button', { name: `Join ${club.name}` }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/coop/clubs/${club.id}`));
    await screen.findByRole('form', { name: 'Start a household' });
  });

  it('says a revoked link no longer works', async () => {
    const admin = await person('Ada');
    const club = await clubWith(admin);
    const made = await ok(pages.tally, 201, 'POST', `/api/coop/clubs/${club.id}/invite-links`, { as: admin });
    await ok(pages.tally, 200, 'POST', `/api/coop/clubs/${club.id}/invite-links/${made.link.id}/revoke`, {
      as: admin,
    });
    pages.signIn(null);
    await pages.render(new URL(made.url).pathname);
    expect(screen.getByText('This invite link no longer works')).toBeTruthy();
  });
});
