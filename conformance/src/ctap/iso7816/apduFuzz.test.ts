import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../testing/seededRandom.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { SoftAuthenticator } from '../../emulation/SoftAuthenticator.ts';
import { NfcConnection, inProcessCard, type ApduTransport } from './NfcConnection.ts';
import { FIDO_AID, INS, SW, encodeCommand, parseCommand, splitResponse } from './apdu.ts';

/**
 * The APDU layer under seeded hostile input, both ways, more than 100,000 APDUs in all:
 * - a host sending mutated and random command APDUs to the software key's card: the card never
 *   throws, every answer ends in a status word, and the applet still works afterwards;
 * - a card answering garbage, truncated answers, wrong status words, endless 61xx chains and
 *   9100 forever: every call of the client ends in a result or a HarnessError naming the APDU,
 *   within its deadline, never another exception and never a hang.
 */
const HOST_APDUS = 60_000;
const CARD_ANSWERS = 45_000;

describe('APDU fuzzing', () => {
  it(`${HOST_APDUS} mutated command APDUs to the card: no throw, always a status word, the applet intact`, async () => {
    const key = new SoftAuthenticator();
    const card = key.nfc({ extendedApdus: true, updateAfterMs: 0 });
    const rnd = seededRandom(0x7816);
    const real = [
      encodeCommand({ cla: 0, ins: INS.SELECT, p1: 4, p2: 0, data: FIDO_AID, ne: 256 }),
      encodeCommand({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: 0x80, p2: 0, data: Uint8Array.of(0x04), ne: 256 }),
      encodeCommand({ cla: 0x90, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: new Uint8Array(255) }),
      encodeCommand({ cla: 0x80, ins: INS.NFCCTAP_GETRESPONSE, p1: 0, p2: 0, ne: 256 }),
      encodeCommand({ cla: 0, ins: INS.GET_RESPONSE, p1: 0, p2: 0, ne: 16 }),
      encodeCommand({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: Uint8Array.of(0x06, 0xa2, 0x01, 0x02, 0x02, 0x01), ne: 65536, extended: true }),
      encodeCommand({ cla: 0, ins: 0x03, p1: 0, p2: 0, ne: 256 }),
    ];
    let answered = 0;
    for (let i = 0; i < HOST_APDUS; i++) {
      const base = Buffer.from(real[Math.floor(rnd() * real.length)]!);
      let apdu: Uint8Array;
      const kind = Math.floor(rnd() * 6);
      if (kind === 0) apdu = crypto.randomBytes(Math.floor(rnd() * 300));
      else if (kind === 1) apdu = base.subarray(0, Math.floor(rnd() * base.length));
      else if (kind === 2) apdu = Buffer.concat([base, crypto.randomBytes(1 + Math.floor(rnd() * 8))]);
      else {
        apdu = Buffer.from(base);
        for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) apdu[Math.floor(rnd() * apdu.length)] = Math.floor(rnd() * 256);
      }
      const r = await card.transmit(apdu);
      expect(r.length, Buffer.from(apdu).toString('hex')).toBeGreaterThanOrEqual(2);
      answered++;
    }
    expect(answered).toBe(HOST_APDUS);
    // still the FIDO applet: SELECT, then getInfo through the client
    card.reset();
    const device = await key.connectNfcDevice();
    expect(device.info?.versions).toContain('FIDO_2_1');
    await device.close();
  }, 120_000);

  it(`${CARD_ANSWERS} hostile card answers: each call ends in a result or a HarnessError naming what was wrong`, async () => {
    const rnd = seededRandom(0x9100);
    let answers = 0;
    let script: (apdu: Uint8Array) => Uint8Array = () => Uint8Array.of(0x90, 0x00);
    const hostile: ApduTransport = {
      description: 'hostile card',
      async transmit(apdu) {
        answers++;
        return script(apdu);
      },
      async close() {},
    };
    const mutate = (): ((apdu: Uint8Array) => Uint8Array) => {
      const kind = Math.floor(rnd() * 8);
      return (apdu) => {
        const c = parseCommand(apdu);
        if (c.ins === INS.SELECT) return Buffer.from('U2F_V2\x90\x00', 'latin1');
        switch (kind) {
          case 0: return crypto.randomBytes(Math.floor(rnd() * 4));
          case 1: return Uint8Array.of(0x61, Math.floor(rnd() * 256));
          case 2: return Uint8Array.of(0x91, 0x00, 0x01);
          case 3: return Buffer.concat([crypto.randomBytes(Math.floor(rnd() * 600)), Buffer.of(0x90, 0x00)]);
          case 4: return Uint8Array.of(0x6a, 0x80);
          case 5: return Buffer.concat([Buffer.of(0x00), crypto.randomBytes(Math.floor(rnd() * 40)), Buffer.of(0x61, 0x10)]);
          case 6: return Uint8Array.of(0x91, 0x00);
          default: return crypto.randomBytes(2 + Math.floor(rnd() * 70000) % 2000);
        }
      };
    };
    const c = await NfcConnection.open(hostile, { extended: false });
    let calls = 0;
    while (answers < CARD_ANSWERS) {
      script = mutate();
      const started = Date.now();
      try {
        await c.cbor(0x04, new Uint8Array(), { timeoutMs: 40, userPresenceTimeoutMs: 40 });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(HarnessError);
        expect((e as HarnessError).message).toMatch(/hostile card/);
      }
      expect(Date.now() - started).toBeLessThan(5000);
      calls++;
    }
    // the endless 61xx chains take 4096 answers each before the client gives up
    expect(calls).toBeGreaterThan(20);
  }, 180_000);

  it('named failures: a card that answers no status word, refuses SELECT, chains 61xx without end, or never stops answering 9100', async () => {
    const card = (f: (apdu: Uint8Array) => Uint8Array): ApduTransport => ({ description: 'test card', transmit: async (a) => f(a), close: async () => {} });
    const selectOk = (a: Uint8Array) => a[1] === INS.SELECT;
    const err = (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => `${(e as HarnessError).code}: ${e.message}`);
    expect(await err(NfcConnection.open(card(() => Uint8Array.of(0x6a, 0x82))))).toBe('DEVICE_NOT_FOUND: test card: SELECT of the FIDO applet (A0000006472F0001) answered 6A82 (application or file not found): no FIDO authenticator on this card');
    expect(await err(NfcConnection.open(card(() => Uint8Array.of(0x90))))).toBe('DEVICE_PROTOCOL: test card: SELECT of the FIDO applet answered 1 byte(s): a response APDU ends with a two-byte status word');
    const endless = await NfcConnection.open(card((a) => (selectOk(a) ? Buffer.from('FIDO_2_0\x90\x00', 'latin1') : Buffer.concat([Buffer.alloc(256), Buffer.of(0x61, 0x00)]))));
    expect(await err(endless.cbor(0x04, new Uint8Array()))).toMatch(/^DEVICE_PROTOCOL: test card: NFCCTAP_MSG \(CTAP2 command 0x04\): the 61xx chain went past 1048576 bytes without ending$/);
    const busy = await NfcConnection.open(card((a) => (selectOk(a) ? Buffer.from('FIDO_2_0\x90\x00', 'latin1') : Uint8Array.of(0x01, 0x91, 0x00))));
    expect(await err(busy.cbor(0x04, new Uint8Array(), { timeoutMs: 100 }))).toMatch(/^DEVICE_TIMEOUT: test card: NFCCTAP_MSG \(CTAP2 command 0x04\) still answered 9100 after 100 ms$/);
    const refuses = await NfcConnection.open(card((a) => (selectOk(a) ? Buffer.from('FIDO_2_0\x90\x00', 'latin1') : Uint8Array.of(0x6d, 0x00))));
    expect(await err(refuses.cbor(0x01, new Uint8Array(10)))).toBe('DEVICE_PROTOCOL: test card: NFCCTAP_MSG (CTAP2 command 0x01) answered 6D00 (instruction not supported)');
    // and the card side: a chain of commands that never ends is cut at 64 KiB with 6700
    const key = new SoftAuthenticator();
    const t = inProcessCard(key.nfc());
    await t.transmit(encodeCommand({ cla: 0, ins: INS.SELECT, p1: 4, p2: 0, data: FIDO_AID }));
    let last: number = SW.OK;
    for (let i = 0; i < 300 && last === SW.OK; i++) last = splitResponse(await t.transmit(encodeCommand({ cla: 0x90, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: new Uint8Array(255) }))).sw;
    expect(last).toBe(SW.WRONG_LENGTH);
  });
});
