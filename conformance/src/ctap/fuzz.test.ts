import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/seededRandom.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { deviceError } from './CtapError.ts';
import type { ReportTransport } from './transport/Transport.ts';
import { CtapHidClient } from './hid/CtapHidClient.ts';
import { framePackets, parsePacket } from './hid/packets.ts';
import { BROADCAST_CID, CTAPHID, HID_REPORT_SIZE } from './constants.ts';
import { CTAP_STATUS } from './status.ts';
import { Ctap2Client } from './ctap2/Ctap2Client.ts';
import { ClientPin } from './ctap2/clientPin.ts';
import { PIN_PROTOCOL_2 } from './ctap2/pinProtocol.ts';
import { SoftAuthenticator } from '../emulation/SoftAuthenticator.ts';
import { encodeCanonical } from '../cbor/encodeCanonical.ts';
import { sha256 } from './ctap2/clientPin.ts';
import { CredentialManagement } from './ctap2/credentialManagement.ts';
import { BioEnrollment } from './ctap2/bioEnrollment.ts';
import { LargeBlobs } from './ctap2/largeBlobs.ts';
import { decryptInfoMember } from './ctap2/getInfo.ts';
import { PERMISSION } from './constants.ts';

/**
 * Seeded malformed traffic in both directions, more than 100,000 reports in all:
 * - a device answering mutations of real answers (reports dropped, duplicated, reordered,
 *   truncated, other channels and commands, wrong lengths and sequence numbers, CBOR bodies cut,
 *   padded, retyped): every call ends in a result or a HarnessError naming what was wrong;
 * - a host sending mutations of real requests to the software key: the key never throws, never
 *   answers CTAP1_ERR_OTHER (its "I crashed" status), and every report it sends is a well-formed packet.
 * When a script runs out the scripted link reports the device gone, so no case waits on a clock.
 */
const HOST_CASES = 50_000;
const DEVICE_REPORTS = 75_000;
const CID = 0x11223344;

class ScriptedTransport implements ReportTransport {
  readonly description = 'scripted device';
  private queue: Uint8Array[] = [];
  script: (sent: Uint8Array) => Uint8Array[] = () => [];
  received = 0;
  async send(report: Uint8Array) {
    this.queue.push(...this.script(report));
  }
  async receive(): Promise<Uint8Array> {
    const r = this.queue.shift();
    // the device has nothing more to say: as a link that went quiet, without waiting on a clock
    if (!r) throw deviceError('DEVICE_UNREACHABLE', 'the scripted device has nothing more to send');
    this.received++;
    return r;
  }
  drain() {
    this.queue = []; // what is left of an earlier answer, as a real transport drops it before a request
  }
  async close() {}
}

/** real answers of the software key, captured once: the material the mutations start from */
const answers: { name: string; cmd: number; payload: Uint8Array; call: (hid: CtapHidClient) => Promise<unknown> }[] = [];
beforeAll(async () => {
  const key = new SoftAuthenticator({ features: { largeBlob: true, credBlob: true, bioEnrollment: { templates: 1 }, thirdPartyPayment: true, hmacSecretMc: true, clientPin: { pin: '1234' } } });
  const { device } = await key.connect();
  const ctap = device.ctap2!;
  const pin = (perm: number) => new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingPin('1234', perm);
  const grab = async (name: string, run: () => Promise<unknown>, call: (hid: CtapHidClient) => Promise<unknown>) => {
    await run();
    answers.push({ name, cmd: CTAPHID.CBOR, payload: Uint8Array.from([0, ...ctap.lastBody]), call });
  };
  const cdh = new Uint8Array(32);
  const mcParams = { clientDataHash: cdh, rp: { id: 'fuzz.example' }, user: { id: Uint8Array.of(1) }, pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }], options: { rk: true, uv: true } };
  await grab('getInfo', () => ctap.getInfo(), (hid) => new Ctap2Client(hid).getInfo());
  await grab('makeCredential', () => ctap.makeCredential(mcParams), (hid) => new Ctap2Client(hid).makeCredential(mcParams));
  await grab('getAssertion', () => ctap.getAssertion({ rpId: 'fuzz.example', clientDataHash: cdh, options: { uv: true } }), (hid) => new Ctap2Client(hid).getAssertion({ rpId: 'fuzz.example', clientDataHash: cdh }));
  await grab('clientPIN getKeyAgreement', () => new ClientPin(ctap, PIN_PROTOCOL_2).getRetries().then(() => ctap.call(0x06, new Map([[1, 2], [2, 2]]))), (hid) => new ClientPin(new Ctap2Client(hid), PIN_PROTOCOL_2).keyAgreement());
  // the CTAP 2.3 commands: what each client method decodes
  const cm = new CredentialManagement(ctap, await pin(PERMISSION.cm), ctap.info);
  await grab('credentialManagement metadata', () => cm.metadata(), (hid) => new CredentialManagement(new Ctap2Client(hid), cm.token, ctap.info).metadata());
  await grab('credentialManagement credentials', () => cm.credentials(sha256(new TextEncoder().encode('fuzz.example'))), (hid) => new CredentialManagement(new Ctap2Client(hid), cm.token, ctap.info).credentials(new Uint8Array(32)));
  const bio = new BioEnrollment(ctap, await pin(PERMISSION.be), ctap.info);
  await grab('bioEnrollment sensor info', () => bio.sensorInfo(), (hid) => new BioEnrollment(new Ctap2Client(hid), undefined, ctap.info).sensorInfo());
  await grab('bioEnrollment enumerate', () => bio.enumerate(), (hid) => new BioEnrollment(new Ctap2Client(hid), bio.token, ctap.info).enumerate());
  await grab('bioEnrollment enrollBegin', () => bio.enrollBegin(), (hid) => new BioEnrollment(new Ctap2Client(hid), bio.token, ctap.info).enrollBegin());
  await grab('largeBlobs read', () => new LargeBlobs(ctap).read(), (hid) => new LargeBlobs(new Ctap2Client(hid)).read());
  await grab('clientPIN persistent token', () => pin(PERMISSION.pcmr), (hid) => new ClientPin(new Ctap2Client(hid), PIN_PROTOCOL_2).tokenUsingPin('1234', PERMISSION.pcmr));
  await grab('getInfo (2.3 members)', () => ctap.getInfo(), (hid) => new Ctap2Client(hid).getInfo().then((i) => decryptInfoMember(new Uint8Array(32), 'encIdentifier', i.encIdentifier ?? new Uint8Array(32))));
  answers.push({ name: 'ping', cmd: CTAPHID.PING, payload: crypto.randomBytes(300), call: (hid) => hid.ping(new Uint8Array(300)) });
});

function mutateBody(r: () => number, payload: Uint8Array): Uint8Array {
  const b = Uint8Array.from(payload);
  switch (Math.floor(r() * 7)) {
    case 0: return b.subarray(0, Math.floor(r() * b.length));
    case 1: {
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    }
    case 2: return Uint8Array.from([...b, ...crypto.randomBytes(1 + Math.floor(r() * 8))]);
    case 3: return Uint8Array.from([b[0] ?? 0, ...new Uint8Array(Math.floor(r() * 40)).fill(0x81), 0x00]); // deep nesting
    case 4: return Uint8Array.from([b[0] ?? 0, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // a byte string claiming 2^64 bytes
    case 5: return Uint8Array.from([Math.floor(r() * 256), ...b.subarray(1)]); // another status
    default: return Uint8Array.from([0, ...encodeCanonical([1, 'x', new Uint8Array(3)])]); // the right bytes, the wrong shape
  }
}

function mutatePackets(r: () => number, packets: Uint8Array[]): Uint8Array[] {
  let ps: Uint8Array[] = packets.map((p) => Uint8Array.from(p));
  const op = Math.floor(r() * 9);
  const pick = () => ps[Math.floor(r() * ps.length)]!;
  switch (op) {
    case 0: ps.splice(Math.floor(r() * ps.length), 1); break;
    case 1: ps.splice(Math.floor(r() * ps.length), 0, pick()); break;
    case 2: ps.reverse(); break;
    case 3: ps[Math.floor(r() * ps.length)] = pick().subarray(0, Math.floor(r() * HID_REPORT_SIZE)); break;
    case 4: new DataView(pick().buffer).setUint32(0, r() < 0.5 ? CID + 1 : BROADCAST_CID); break;
    case 5: pick()[4] = Math.floor(r() * 256); break; // command or sequence byte
    case 6: { const p = ps[0]!; p[5] = Math.floor(r() * 256); p[6] = Math.floor(r() * 256); break; } // length
    case 7: ps = [framePackets(CID, CTAPHID.KEEPALIVE, Uint8Array.of(Math.floor(r() * 4)))[0]!, ...ps]; break;
    default: ps = [framePackets(CID, CTAPHID.ERROR, Uint8Array.of(Math.floor(r() * 256)))[0]!, ...ps];
  }
  return ps;
}

describe('CTAPHID and CTAP2 decoding against a device answering garbage', () => {
  it(`${HOST_CASES} mutated answers: each call ends in a result or a HarnessError, none other`, async () => {
    const r = seededRandom(20261201);
    const t = new ScriptedTransport();
    t.script = (sent) => {
      const p = parsePacket(sent)!;
      const body = new Uint8Array(17);
      body.set(p.data.subarray(0, 8));
      new DataView(body.buffer).setUint32(8, CID);
      body[12] = 2;
      body[16] = 0x05;
      return framePackets(BROADCAST_CID, CTAPHID.INIT, body);
    };
    const hid = await CtapHidClient.open(t);
    const tally = { ok: 0, harness: 0 };
    for (let i = 0; i < HOST_CASES; i++) {
      const a = answers[i % answers.length]!;
      const payload = r() < 0.6 ? mutateBody(r, a.payload) : a.payload;
      let packets = framePackets(CID, a.cmd, payload);
      if (r() < 0.7) packets = mutatePackets(r, packets);
      let first = true;
      t.script = () => {
        if (!first) return [];
        first = false;
        return packets;
      };
      try {
        await a.call(hid);
        tally.ok++;
      } catch (e) {
        if (!(e instanceof HarnessError)) throw new Error(`case ${i} (${a.name}) raised ${(e as Error).stack}\npackets: ${packets.map((p) => Buffer.from(p).toString('hex')).join(' ')}`);
        tally.harness++;
      }
    }
    expect(tally.ok + tally.harness).toBe(HOST_CASES);
    expect(tally.ok).toBeGreaterThan(HOST_CASES / 20);
    expect(tally.harness).toBeGreaterThan(HOST_CASES / 4);
    expect(t.received).toBeGreaterThan(40_000);
  }, 300_000);
});

describe('the software key against a host sending garbage', () => {
  it(`${DEVICE_REPORTS} mutated request reports: no throw, no CTAP1_ERR_OTHER, every answer a well-formed packet`, async () => {
    const r = seededRandom(977);
    const key = new SoftAuthenticator({ features: { largeBlob: true, credBlob: true, clientPin: { pin: '1234' }, bioEnrollment: { templates: 1 }, thirdPartyPayment: true, hmacSecretMc: true, pinComplexityPolicy: 'on', ctap: '2.3' } });
    const { device } = await key.connect();
    const cid = device.hid!.cid;
    const base = [
      [CTAPHID.CBOR, Uint8Array.of(0x04)],
      [CTAPHID.CBOR, Uint8Array.from([0x01, ...encodeCanonical(new Map<number, never>([[1, new Uint8Array(32) as never], [2, { id: 'x.example' } as never], [3, { id: Uint8Array.of(1) } as never], [4, [{ type: 'public-key', alg: -7 }] as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x02, ...encodeCanonical(new Map<number, never>([[1, 'x.example' as never], [2, new Uint8Array(32) as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x06, ...encodeCanonical(new Map<number, never>([[1, 2 as never], [2, 2 as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x0a, ...encodeCanonical(new Map<number, never>([[1, 1 as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x0c, ...encodeCanonical(new Map<number, never>([[1, 100 as never], [3, 0 as never]]))])],
      // the CTAP 2.3 commands and members, as an honest platform would send them (then mutated)
      [CTAPHID.CBOR, Uint8Array.from([0x0c, ...encodeCanonical(new Map<number, never>([[2, new Uint8Array(40) as never], [3, 0 as never], [4, 40 as never], [5, new Uint8Array(32) as never], [6, 2 as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x0d, ...encodeCanonical(new Map<number, never>([[1, 3 as never], [2, new Map<number, unknown>([[1, 6], [2, ['x.example']], [3, true]]) as never], [3, 2 as never], [4, new Uint8Array(32) as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x0d, ...encodeCanonical(new Map<number, never>([[1, 0xff as never], [2, new Map([[1, 7]]) as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x09, ...encodeCanonical(new Map<number, never>([[1, 1 as never], [2, 7 as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x09, ...encodeCanonical(new Map<number, never>([[1, 1 as never], [2, 1 as never], [3, new Map([[3, 1000]]) as never], [4, 2 as never], [5, new Uint8Array(32) as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x40, ...encodeCanonical(new Map<number, never>([[6, true as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x06, ...encodeCanonical(new Map<number, never>([[1, 2 as never], [2, 9 as never], [3, new Map<number, unknown>([[1, 2], [3, -25], [-1, 1], [-2, new Uint8Array(32)], [-3, new Uint8Array(32)]]) as never], [6, new Uint8Array(32) as never], [9, 0x40 as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x0a, ...encodeCanonical(new Map<number, never>([[1, 4 as never], [2, new Map([[1, new Uint8Array(32)]]) as never], [3, 2 as never], [4, new Uint8Array(32) as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x01, ...encodeCanonical(new Map<number, never>([[1, new Uint8Array(32) as never], [2, { id: 'x.example' } as never], [3, { id: Uint8Array.of(1) } as never], [4, [{ type: 'public-key', alg: -7 }] as never], [6, new Map<string, unknown>([['hmac-secret', true], ['hmac-secret-mc', new Map<number, unknown>([[1, new Map([[1, 2]])], [2, new Uint8Array(32)], [3, new Uint8Array(32)], [4, 2]])], ['thirdPartyPayment', true], ['largeBlob', { support: 'required' }], ['credProtect', 3], ['credBlob', new Uint8Array(8)], ['minPinLength', true], ['pinComplexityPolicy', true]]) as never], [7, { rk: true, uv: true } as never], [8, new Uint8Array() as never], [9, 1 as never], [10, 2 as never], [11, ['packed'] as never]]))])],
      [CTAPHID.CBOR, Uint8Array.from([0x02, ...encodeCanonical(new Map<number, never>([[1, 'x.example' as never], [2, new Uint8Array(32) as never], [3, [{ type: 'public-key', id: new Uint8Array(32) }] as never], [4, new Map<string, unknown>([['hmac-secret', new Map<number, unknown>([[1, new Map([[1, 2]])], [2, new Uint8Array(48)], [3, new Uint8Array(16)]])], ['thirdPartyPayment', true], ['credBlob', true], ['largeBlob', { read: true }]]) as never], [5, { up: false } as never]]))])],
      [CTAPHID.CBOR, Uint8Array.of(0x07)],
      [CTAPHID.CBOR, Uint8Array.of(0x0b)],
      [CTAPHID.CBOR, Uint8Array.of(0x08)],
      [CTAPHID.MSG, Uint8Array.from([0, 1, 0, 0, 0, 0, 64, ...new Uint8Array(64), 0, 0])],
      [CTAPHID.MSG, Uint8Array.from([0, 2, 3, 0, 0, 0, 66, ...new Uint8Array(65), 1, 0, 0])],
      [CTAPHID.PING, new Uint8Array(120)],
      [CTAPHID.INIT, new Uint8Array(8)],
    ] as const;
    let answered = 0;
    let other = 0;
    const bad: string[] = [];
    const reply = (report: Uint8Array) => {
      answered++;
      const p = report.length === HID_REPORT_SIZE ? parsePacket(report) : undefined;
      if (!p) bad.push(Buffer.from(report).toString('hex'));
      else if (p.kind === 'init' && p.cmd === CTAPHID.CBOR && p.data[0] === CTAP_STATUS.CTAP1_ERR_OTHER) other++;
    };
    let sent = 0;
    while (sent < DEVICE_REPORTS) {
      const [cmd, payload] = base[Math.floor(r() * base.length)]!;
      const body = r() < 0.5 ? mutateBody(r, payload) : payload;
      let packets = framePackets(r() < 0.9 ? cid : Math.floor(r() * 2 ** 32), cmd, body);
      if (r() < 0.7) packets = mutatePackets(r, packets);
      if (r() < 0.05) packets = [crypto.randomBytes(Math.floor(r() * 70))];
      for (const p of packets) {
        key.server.onReport(p, reply);
        sent++;
      }
      if (sent % 64 === 0) await new Promise((res) => setImmediate(res));
    }
    await new Promise((res) => setTimeout(res, 700)); // let message timeouts and pending requests finish
    expect(bad).toEqual([]);
    expect(other).toBe(0);
    expect(answered).toBeGreaterThan(DEVICE_REPORTS / 4);
    // and the key still works for an honest host
    expect((await device.ctap2!.getInfo()).versions).toContain('FIDO_2_3');
  }, 300_000);
});
