import { afterEach, describe, expect, it } from 'vitest';
import { CtapHidClient } from './CtapHidClient.ts';
import { framePackets, parsePacket } from './packets.ts';
import { BROADCAST_CID, CTAPHID, HID_REPORT_SIZE, KEEPALIVE, MAX_HID_MESSAGE } from '../constants.ts';
import { CTAP_STATUS } from '../status.ts';
import { CtapError } from '../CtapError.ts';
import { inProcessTransport, type ReportSink } from '../transport/InProcessTransport.ts';
import { Ctap2Client } from '../ctap2/Ctap2Client.ts';
import { encodeCanonical } from '../../cbor/encodeCanonical.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { LINKS, linkedKey } from '../../../../test/helpers/ctapDevices.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function open(link: (typeof LINKS)[number], o: Parameters<typeof linkedKey>[1] = {}) {
  const l = await linkedKey(link, o);
  const t = await l.transport();
  const hid = await CtapHidClient.open(t);
  closers.push(async () => {
    await t.close();
    await l.close();
  });
  return { ...l, t, hid };
}

/** one raw report from the device on `cid`, skipping keepalives */
async function nextOn(hid: CtapHidClient, cid: number, ms = 2000) {
  for (;;) {
    const p = parsePacket(await hid.receiveReport(ms))!;
    if (p.cid === cid && !(p.kind === 'init' && p.cmd === CTAPHID.KEEPALIVE)) return p;
  }
}
const raw = (cid: number, bytes: number[]) => {
  const r = new Uint8Array(HID_REPORT_SIZE);
  new DataView(r.buffer).setUint32(0, cid >>> 0);
  r.set(bytes, 4);
  return r;
};
const errorCode = async (hid: CtapHidClient, cid: number) => {
  const p = await nextOn(hid, cid);
  expect(p.kind === 'init' && p.cmd).toBe(CTAPHID.ERROR);
  return p.data[0];
};

for (const link of LINKS) {
  describe(`CTAPHID against the software key (${link})`, () => {
    it('INIT allocates a channel (nonce checked); a second INIT another one; a resync keeps it', async () => {
      const { hid, t } = await open(link);
      expect(hid.cid).not.toBe(0);
      expect(hid.cid).not.toBe(BROADCAST_CID);
      expect(hid.info.protocolVersion).toBe(2);
      expect(hid.supportsCbor).toBe(true);
      expect(hid.supportsMsg).toBe(true);
      const other = await CtapHidClient.open(t);
      expect(other.cid).not.toBe(hid.cid);
      expect((await hid.resync()).cid).toBe(hid.cid);
    });

    it('PING echoes every size up to the largest message; WINK answers empty', async () => {
      const { hid } = await open(link);
      for (const n of [0, 1, 57, 58, 59 * 3, 1000, MAX_HID_MESSAGE]) {
        const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
        expect(Buffer.from(await hid.ping(data)).equals(Buffer.from(data)), `${n} bytes`).toBe(true);
      }
      await hid.wink();
    });

    it('ERROR codes by name: unknown command, empty CBOR, wrong and reserved channels, bad sequence, oversize, timeout, busy', async () => {
      const { hid, t } = await open(link);
      await expect(hid.transact(0x66, new Uint8Array())).rejects.toMatchObject({ ctapStatus: CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND, message: expect.stringMatching(/CTAP1_ERR_INVALID_COMMAND \(0x01\)/) });
      await expect(hid.transact(CTAPHID.CBOR, new Uint8Array())).rejects.toMatchObject({ ctapStatus: CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH });
      // a channel nobody allocated, channel 0, and the broadcast channel for anything but INIT
      for (const cid of [0x01020304, 0, BROADCAST_CID]) {
        await hid.sendReport(raw(cid, [0x80 | CTAPHID.PING, 0, 1, 0x55]));
        expect(await errorCode(hid, cid), `channel ${cid.toString(16)}`).toBe(CTAP_STATUS.CTAP1_ERR_INVALID_CHANNEL);
      }
      // a continuation out of sequence
      await hid.sendReport(raw(hid.cid, [0x80 | CTAPHID.PING, 0, 200]));
      await hid.sendReport(raw(hid.cid, [0]));
      await hid.sendReport(raw(hid.cid, [2]));
      expect(await errorCode(hid, hid.cid)).toBe(CTAP_STATUS.CTAP1_ERR_INVALID_SEQ);
      // a message longer than CTAPHID can carry
      await hid.sendReport(raw(hid.cid, [0x80 | CTAPHID.PING, (MAX_HID_MESSAGE + 1) >> 8, (MAX_HID_MESSAGE + 1) & 0xff]));
      expect(await errorCode(hid, hid.cid)).toBe(CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH);
      // half a message, then silence
      await hid.sendReport(raw(hid.cid, [0x80 | CTAPHID.PING, 0, 100]));
      expect(await errorCode(hid, hid.cid)).toBe(CTAP_STATUS.CTAP1_ERR_TIMEOUT);
      // another channel while one is mid-message
      const other = await CtapHidClient.open(t);
      await hid.sendReport(raw(hid.cid, [0x80 | CTAPHID.PING, 0, 100]));
      await other.sendReport(raw(other.cid, [0x80 | CTAPHID.PING, 0, 1, 1]));
      expect(await errorCode(other, other.cid)).toBe(CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY);
      await hid.sendReport(raw(hid.cid, [0, ...new Uint8Array(59)]));
      const pong = await nextOn(hid, hid.cid);
      expect(pong.kind === 'init' && pong.cmd).toBe(CTAPHID.PING);
      expect((await nextOn(hid, hid.cid)).kind).toBe('cont'); // the rest of the 100-byte echo
      // and after all that, the channel works as before
      expect(await hid.ping(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    });

    it('waiting for a touch: KEEPALIVE UP_NEEDED surfaces as "touch the key now"; CANCEL ends the wait with KEEPALIVE_CANCEL', async () => {
      let touch: () => void = () => {};
      const { hid } = await open(link, { hid: { presence: () => new Promise<void>((r) => (touch = r)), keepaliveIntervalMs: 40 } });
      const ctap = new Ctap2Client(hid);
      const statuses: number[] = [];
      const pending = ctap.raw(0x0b, undefined, { onKeepalive: (s) => statuses.push(s) }); // authenticatorSelection waits for a touch
      await new Promise((r) => setTimeout(r, 150));
      expect(statuses.length).toBeGreaterThan(1);
      expect(new Set(statuses)).toEqual(new Set([KEEPALIVE.UP_NEEDED]));
      touch();
      expect((await pending).status).toBe(0);
      const controller = new AbortController();
      const cancelled = ctap.raw(0x0b, undefined, { signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      expect((await cancelled).status).toBe(CTAP_STATUS.CTAP2_ERR_KEEPALIVE_CANCEL);
    });
  });
}

/** A device that answers INIT properly and then whatever the test scripts. */
function scripted(answer: (cid: number, request: Uint8Array) => Uint8Array[]): ReportSink {
  let cid = 0x0a0b0c0d;
  return {
    onReport(report, reply) {
      const p = parsePacket(report)!;
      if (p.kind !== 'init') return;
      if (p.cmd === CTAPHID.INIT) {
        const body = new Uint8Array(17);
        body.set(p.data.subarray(0, 8));
        new DataView(body.buffer).setUint32(8, cid);
        body[12] = 2;
        body[16] = 0x04;
        for (const r of framePackets(p.cid, CTAPHID.INIT, body)) reply(r);
        return;
      }
      for (const r of answer(cid, report)) reply(r);
    },
  };
}
const answerWith = (cmd: number, payload: Uint8Array) => (cid: number) => framePackets(cid, cmd, payload);

describe('CTAPHID client against a device that misbehaves: a clear error, never a hang', () => {
  const client = async (sink: ReportSink) => CtapHidClient.open(inProcessTransport(sink));
  const failsWith = async (p: Promise<unknown>, code: string, re: RegExp) => {
    const t0 = Date.now();
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e, 'it should have failed').toBeInstanceOf(HarnessError);
    expect((e as HarnessError).code).toBe(code);
    expect((e as Error).message).toMatch(re);
    expect(Date.now() - t0).toBeLessThan(3000);
  };

  it('an answer on another channel only: skipped, then DEVICE_TIMEOUT naming the command', async () => {
    const hid = await client(scripted((cid) => framePackets(cid + 1, CTAPHID.PING, Uint8Array.of(1))));
    await failsWith(hid.ping(Uint8Array.of(1), { timeoutMs: 300 }), 'DEVICE_TIMEOUT', /CTAPHID_PING: no answer .* within 300 ms/);
    expect(hid.lastTransaction.foreign).toBe(1);
  });

  it('continuations out of sequence, or before the initialisation packet: DEVICE_PROTOCOL', async () => {
    const skip = await client(scripted((cid) => {
      const ps = framePackets(cid, CTAPHID.PING, new Uint8Array(200));
      return [ps[0]!, ps[2]!];
    }));
    await failsWith(skip.ping(new Uint8Array(200)), 'DEVICE_PROTOCOL', /continuation packet with sequence 1 where 0 was due/);
    const orphan = await client(scripted((cid) => [framePackets(cid, CTAPHID.PING, new Uint8Array(100))[1]!]));
    await failsWith(orphan.ping(new Uint8Array(100)), 'DEVICE_PROTOCOL', /continuation packet .* before the initialisation packet/);
  });

  it('a short report, another command, an empty CBOR answer, silence', async () => {
    await failsWith((await client(scripted(() => [new Uint8Array(12)]))).ping(Uint8Array.of(1)), 'DEVICE_PROTOCOL', /report of 12 bytes/);
    await failsWith((await client(scripted(answerWith(CTAPHID.WINK, new Uint8Array())))).ping(Uint8Array.of(1)), 'DEVICE_PROTOCOL', /answered with CTAPHID_WINK instead/);
    await failsWith((await client(scripted(answerWith(CTAPHID.CBOR, new Uint8Array())))).cbor(0x04, new Uint8Array()), 'DEVICE_PROTOCOL', /authenticatorGetInfo: the answer is empty/);
    await failsWith((await client(scripted(() => []))).ping(Uint8Array.of(1), { timeoutMs: 200 }), 'DEVICE_TIMEOUT', /no answer/);
  });

  it('CTAP2: truncated CBOR, a status by name, non-canonical CBOR kept as a finding', async () => {
    const info = encodeCanonical(new Map<number, never>([[1, ['FIDO_2_0'] as never], [3, new Uint8Array(16) as never]]));
    const truncated = new Ctap2Client(await client(scripted(answerWith(CTAPHID.CBOR, Uint8Array.from([0, ...info.subarray(0, info.length - 3)])))));
    await failsWith(truncated.getInfo(), 'DEVICE_PROTOCOL', /authenticatorGetInfo answered bytes that are not one CBOR item: .*truncated/);
    const refused = new Ctap2Client(await client(scripted(answerWith(CTAPHID.CBOR, Uint8Array.of(0x12)))));
    const e = await refused.getInfo().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CtapError);
    expect((e as Error).message).toBe('authenticatorGetInfo answered CTAP2_ERR_INVALID_CBOR (0x12)');
    // keys 3 before 1: decoded, and the order problem reported
    const outOfOrder = Uint8Array.from([0, 0xa2, 0x03, 0x50, ...new Uint8Array(16), 0x01, 0x81, 0x68, ...new TextEncoder().encode('FIDO_2_0')]);
    const got = await new Ctap2Client(await client(scripted(answerWith(CTAPHID.CBOR, outOfOrder)))).getInfo();
    expect(got.versions).toEqual(['FIDO_2_0']);
    expect(got.nonCanonical.join()).toMatch(/out of canonical order/);
  });

  it('INIT: an answer to someone else\'s nonce is skipped; a short answer is DEVICE_PROTOCOL', async () => {
    const wrongNonce: ReportSink = { onReport: (r, reply) => framePackets(BROADCAST_CID, CTAPHID.INIT, new Uint8Array(17).fill(9)).forEach(reply) };
    await failsWith(CtapHidClient.open(inProcessTransport(wrongNonce), { timeoutMs: 300 }), 'DEVICE_TIMEOUT', /CTAPHID_INIT/);
    const short: ReportSink = { onReport: (r, reply) => framePackets(BROADCAST_CID, CTAPHID.INIT, parsePacket(r)!.data.subarray(0, 8)).forEach(reply) };
    await failsWith(CtapHidClient.open(inProcessTransport(short)), 'DEVICE_PROTOCOL', /at least 17/);
  });
});
