import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';
import { whenFileEnds } from './database';

const { Packet } = dns2;

/** DNS response codes (RFC 1035 §4.1.1) the server can answer with. */
const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;

/**
 * What the server answers, changed by the test between lookups. Names are matched without regard to
 * case or a trailing dot.
 */
export interface DnsZone {
  /** A name's CNAME record: the host it points to. */
  cname: Map<string, string>;
  /** A name's TXT records, each one value. */
  txt: Map<string, string[]>;
  /** Names answered SERVFAIL, as a broken authoritative server answers. */
  failing: Set<string>;
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as DNS_SERVERS takes it. */
  address: string;
  zone: DnsZone;
  /** Every question asked, as `<TYPE> <name>`, in order. */
  questions: string[];
  /** Stops answering: the port is closed, so a lookup is refused (ECONNREFUSED), as a server that is down. */
  stop(): Promise<void>;
  /** Answers again on the same port. */
  start(): Promise<void>;
  /** Adds the records a whitelabel claim asks for: the CNAME to `target` and the challenge TXT record. */
  pointAt(domain: string, target: string, token: string): void;
}

const key = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * A real DNS server over UDP on 127.0.0.1, on a port the system picks, that answers CNAME and TXT
 * questions from a zone the test edits: no record of the type asked is an empty answer (NODATA), a
 * name with no record at all NXDOMAIN, a name marked failing SERVFAIL. It closes when the test file
 * ends (`whenFileEnds`) or when `stop` is called.
 */
export async function startDnsServer(): Promise<TestDnsServer> {
  const zone: DnsZone = { cname: new Map(), txt: new Map(), failing: new Set() };
  const questions: string[] = [];
  const typeName = (type: number) =>
    type === Packet.TYPE.CNAME ? 'CNAME' : type === Packet.TYPE.TXT ? 'TXT' : String(type);

  const answer = (request: dns2.Packet) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (!question) return response;
    const name = key(question.name);
    questions.push(`${typeName(question.type)} ${name}`);
    if (zone.failing.has(name)) {
      response.header.rcode = SERVFAIL;
      return response;
    }
    const cname = zone.cname.get(name);
    const texts = zone.txt.get(name);
    if (cname === undefined && texts === undefined) {
      response.header.rcode = NXDOMAIN;
      return response;
    }
    response.header.rcode = NOERROR;
    const base = { name: question.name, class: Packet.CLASS.IN, ttl: 1 };
    // A name with a CNAME has no other records (RFC 1034 §3.6.2): the CNAME answers every question.
    if (cname !== undefined) {
      response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: cname } as dns2.Packet.Resource);
    } else if (question.type === Packet.TYPE.TXT) {
      for (const data of texts ?? []) {
        response.answers.push({ ...base, type: Packet.TYPE.TXT, data } as dns2.Packet.Resource);
      }
    }
    return response;
  };

  let port = 0;
  let server: dns2.UDPServer | null = null;
  const start = async () => {
    const listening = dns2.createUDPServer((request, send) => void send(answer(request)));
    await listening.listen(port, '127.0.0.1');
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };
  const stop = async () => {
    const closing = server;
    server = null;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await start();
  whenFileEnds(stop);
  return {
    address: `127.0.0.1:${port}`,
    zone,
    questions,
    stop,
    start,
    pointAt(domain, target, token) {
      zone.cname.set(key(domain), target);
      zone.txt.set(`_tally-challenge.${key(domain)}`, [token]);
    },
  };
}
