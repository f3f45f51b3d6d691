import { admitMember, changeMemberRole } from '../../core/access/memberships';
import type { Actor } from '../../core/actor';
import { confirmedPersonId } from '../../core/auth/accounts';
import { createClub, listMyClubs } from '../clubs/service';
import type { CoopDeps } from '../deps';
import {
  addHouseholdMember,
  createHousehold,
  listHouseholds,
  myJoinRequest,
  requestToJoin,
} from '../households/service';
import { createProducer, listProducers, setProducerPhoto } from '../producers/service';
import { importProducts } from '../products/csv';
import { makeDemoOrders } from './orders';
import { demoPhoto } from './photo';

/**
 * The coop's share of `tally demo`, made through its services: a buyers club with its admin, an
 * order manager and a bookkeeper, households (one with a request waiting to join), and producers
 * with photos and a few dozen products imported from their spreadsheets. Everything is found again
 * by name, so a second run adds nothing.
 */

const people = {
  maria: { email: 'maria@coop.demo.tally.test', name: 'Maria Keller' },
  jonas: { email: 'jonas@coop.demo.tally.test', name: 'Jonas Weber' },
  lea: { email: 'lea@coop.demo.tally.test', name: 'Lea Fischer' },
  tom: { email: 'tom@coop.demo.tally.test', name: 'Tom Becker' },
  sara: { email: 'sara@coop.demo.tally.test', name: 'Sara Yilmaz' },
  paul: { email: 'paul@coop.demo.tally.test', name: 'Paul Schmidt' },
  ines: { email: 'ines@coop.demo.tally.test', name: 'Inês Costa' },
} as const;
type Who = keyof typeof people;

const CLUB = 'Green Basket Food Coop';

const households: { name: string; members: Who[] }[] = [
  { name: 'The Kellers', members: ['maria', 'jonas'] },
  { name: 'Flat 3B', members: ['lea', 'tom'] },
  { name: 'Sara & Paul', members: ['sara', 'paul'] },
];

const HEADER =
  'code,name,description,categories,unit,amount_per_package,packages,estimate,maximum_available,price,vat_percent,margin_percent,origin,ingredients';

const producers: {
  name: string;
  liaison: Who;
  location: string;
  details: string;
  colour: [number, number, number];
  products: string[];
}[] = [
  {
    name: 'Lindenhof Vegetables',
    liaison: 'jonas',
    location: 'Werder (Havel), Brandenburg',
    details: 'Organic vegetables from the field and the greenhouse; delivered on Fridays before noon.',
    colour: [74, 140, 60],
    products: [
      'LH-TOM,Cherry tomatoes,Sweet and small,vegetables;organic,g,250,1,no,40,2.99,7,5,Werder,',
      'LH-POT,Potatoes (waxy),Good for salads,vegetables;organic,kg,1,1,yes,,1.80,7,5,Werder,',
      'LH-CAR,Carrots,Bunch with greens,vegetables;organic,piece,1,1,no,30,1.60,7,5,Werder,',
      'LH-ONI,Red onions,,vegetables;organic,kg,1,1,yes,,2.40,7,5,Werder,',
      'LH-SAL,Lettuce,Butterhead,vegetables;organic,piece,1,1,no,25,1.50,7,5,Werder,',
      'LH-CUC,Cucumber,,vegetables;organic,piece,1,1,no,30,0.90,7,5,Werder,',
      'LH-PUM,Hokkaido pumpkin,,vegetables;organic,kg,1,1,yes,,2.20,7,5,Werder,',
      'LH-KAL,Kale,,vegetables;organic,g,500,1,no,20,2.80,7,5,Werder,',
    ],
  },
  {
    name: 'Hof Sonnenwiese Dairy',
    liaison: 'lea',
    location: 'Beelitz, Brandenburg',
    details: 'Milk and cheese from 40 cows on pasture; glass bottles are taken back at the next delivery.',
    colour: [225, 200, 120],
    products: [
      'SW-MILK,Whole milk,In a glass bottle,dairy;organic,l,1,1,no,60,1.49,7,5,Beelitz,Milk',
      'SW-YOG,Natural yoghurt,,dairy;organic,g,500,1,no,40,2.10,7,5,Beelitz,Milk; cultures',
      'SW-BUT,Butter,Soured cream butter,dairy;organic,g,250,1,no,30,3.20,7,5,Beelitz,Cream',
      'SW-QUA,Quark,,dairy;organic,g,500,1,no,30,2.30,7,5,Beelitz,Milk; cultures',
      'SW-GOU,Mountain cheese,Aged 6 months,dairy;cheese;organic,kg,1,1,yes,,24.00,7,5,Beelitz,Milk; salt; rennet',
      'SW-FRE,Fresh cheese with herbs,,dairy;cheese,g,150,1,no,20,2.60,7,5,Beelitz,Milk; herbs; salt',
      'SW-EGG,Free-range eggs,Box of six,eggs;organic,piece,1,6,no,40,3.60,7,5,Beelitz,',
    ],
  },
  {
    name: 'Backstube Kornblume',
    liaison: 'sara',
    location: 'Potsdam',
    details: 'Sourdough bread and pastries baked on the morning of delivery.',
    colour: [170, 110, 60],
    products: [
      'KB-RYE,Rye sourdough,,bread,g,1000,1,no,30,4.80,7,5,Potsdam,Rye flour; water; salt',
      'KB-SPE,Spelt loaf,,bread;organic,g,750,1,no,30,4.50,7,5,Potsdam,Spelt flour; water; salt; yeast',
      'KB-BAG,Baguette,,bread,piece,1,1,no,40,1.90,7,5,Potsdam,Wheat flour; water; salt; yeast',
      'KB-CRO,Butter croissant,,bread;pastries,piece,1,1,no,40,1.40,7,5,Potsdam,Wheat flour; butter; sugar',
      'KB-ROL,Seeded rolls,Bag of four,bread,piece,1,4,no,30,2.40,7,5,Potsdam,Wheat flour; seeds',
      'KB-CAK,Apple cake,Whole cake,pastries,piece,1,1,no,8,14.00,7,5,Potsdam,Apples; flour; butter; sugar; eggs',
    ],
  },
  {
    name: 'Mühle am See',
    liaison: 'paul',
    location: 'Lychen, Uckermark',
    details:
      'Stone-milled flours, oats and lentils from the mill and its neighbours; 19 % VAT on the honey wine.',
    colour: [140, 120, 170],
    products: [
      'MS-FLO,Wheat flour type 550,,flour;organic,kg,1,1,no,50,1.90,7,5,Uckermark,Wheat',
      'MS-RYF,Rye flour type 1150,,flour;organic,kg,1,1,no,40,2.10,7,5,Uckermark,Rye',
      'MS-OAT,Rolled oats,,cereals;organic,g,500,1,no,50,1.70,7,5,Uckermark,Oats',
      'MS-LEN,Green lentils,,pulses;organic,g,500,1,no,40,2.90,7,5,Uckermark,Lentils',
      'MS-HON,Linden honey,,honey,g,500,1,no,24,7.50,7,5,Uckermark,Honey',
      'MS-MET,Honey wine,,drinks,ml,750,1,no,12,11.90,19,5,Uckermark,Honey; water; yeast',
      'MS-RAP,Cold-pressed rapeseed oil,,oils;organic,ml,500,1,no,20,5.40,7,5,Uckermark,Rapeseed',
      'MS-SUN,Sunflower seeds,,seeds;organic,g,250,1,no,30,1.80,7,5,Uckermark,Sunflower seeds',
      'MS-APJ,Apple juice,Crate of six bottles,drinks,l,1,6,no,10,14.40,19,5,Uckermark,Apples',
    ],
  },
];

const as = (userId: string): Actor => ({
  userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

export async function makeCoopDemo(deps: CoopDeps, system: Actor): Promise<string[]> {
  const ids = {} as Record<Who, string>;
  for (const who of Object.keys(people) as Who[])
    ids[who] = await confirmedPersonId(deps.db, deps.clock, people[who]);
  const admin = as(ids.maria);

  const club =
    (await listMyClubs(deps, admin)).find((c) => c.name === CLUB) ??
    (await createClub(deps, admin, { name: CLUB }));
  await deps.db.transaction(async (tx) => {
    for (const who of Object.keys(people) as Who[]) {
      if (who !== 'maria')
        await admitMember(tx, deps.clock, system, { organizationId: club.id, userId: ids[who], via: 'demo' });
    }
  });
  const roles = { organizationId: club.id };
  await changeMemberRole(deps, admin, { ...roles, userId: ids.jonas, role: 'order_manager' });
  await changeMemberRole(deps, admin, { ...roles, userId: ids.lea, role: 'bookkeeper' });

  for (const household of households) {
    const [first, ...others] = household.members;
    const existing = (await listHouseholds(deps, admin, club.id)).find((h) => h.name === household.name);
    const made =
      existing ?? (await createHousehold(deps, as(ids[first!]), club.id, { name: household.name }));
    for (const who of others) {
      if (!made.members.some((m) => m.userId === ids[who]))
        await addHouseholdMember(deps, admin, made.id, ids[who]);
    }
  }
  // Inês has asked to join Flat 3B; its members decide.
  if (!(await myJoinRequest(deps, as(ids.ines), club.id))) {
    const flat = (await listHouseholds(deps, admin, club.id)).find((h) => h.name === 'Flat 3B')!;
    if (!flat.members.some((m) => m.userId === ids.ines))
      await requestToJoin(deps, as(ids.ines), flat.id, { message: 'Hi, Inês from the ground floor!' });
  }

  let productCount = 0;
  for (const producer of producers) {
    const liaison = as(ids[producer.liaison]);
    const found = (await listProducers(deps, liaison, club.id)).find((p) => p.name === producer.name);
    const made =
      found ??
      (await createProducer(deps, liaison, club.id, {
        name: producer.name,
        contactEmail: `${producer.liaison}@coop.demo.tally.test`,
        location: producer.location,
        details: producer.details,
      }));
    if (!made.photoFileId) {
      await setProducerPhoto(deps, liaison, made.id, {
        name: 'photo.png',
        bytes: demoPhoto(producer.colour),
      });
    }
    const result = await importProducts(deps, liaison, made.id, [HEADER, ...producer.products].join('\n'), {
      save: true,
    });
    if (!result.saved) throw new Error(`the demo's products of ${producer.name} did not import`);
    productCount += producer.products.length;
  }

  const orders = await makeDemoOrders(deps, club.id, {
    manager: as(ids.jonas),
    bookkeeper: as(ids.lea),
    households: [
      { name: 'The Kellers', buyer: as(ids.maria) },
      { name: 'Flat 3B', buyer: as(ids.tom) },
      { name: 'Sara & Paul', buyer: as(ids.sara) },
    ],
  });

  return [
    `${CLUB}: admin ${people.maria.email}, ${households.length} households, a join request waiting`,
    `${producers.length} producers with photos and ${productCount} products`,
    ...orders,
  ];
}
