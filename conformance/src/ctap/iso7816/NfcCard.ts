import { PresenceCancelled, type AuthenticatorCore, type RequestContext } from '../connection/AuthenticatorCore.ts';
import { KEEPALIVE } from '../constants.ts';
import { CTAP_STATUS } from '../status.ts';
import { contactlessAtr } from './atr.ts';
import { decodeCbor } from '../../cbor/decodeCbor.ts';
import { encodeCbor } from '../../cbor/encodeCbor.ts';
import { ApduFormatError, CLA_CHAINING, FIDO_AID, INS, P1_CANCEL, P1_GETRESPONSE_SUPPORTED, SW, encodeCommand, parseCommand, withStatus, type CommandApdu } from './apdu.ts';

/** What an NFC card may get wrong, one switch each (the NFC checks catch every one). */
export const NFC_FAULTS = {
  selectWrongVersion: 'SELECT of the FIDO applet answers a version string that is neither U2F_V2 nor FIDO_2_0',
  selectAnyAid: 'SELECT of another AID answers as the FIDO applet does (must be 6A82, ISO 7816-4)',
  extendedClaimedNotAccepted: 'the ATR claims extended Lc and Le fields (ISO 7816-4 card capabilities) and the card refuses extended APDUs with 6700',
  getResponseIgnoresLe: 'GET RESPONSE returns the whole rest, ignoring a short Le',
  chainingBroken: 'a chained command (CLA 0x90) is answered 6884 instead of being collected',
  tapAlwaysPresence: 'over NFC the tap counts as user presence even for a getAssertion with up = false (UP set though the platform asked for no presence)',
} as const;
export type NfcFault = keyof typeof NFC_FAULTS;

export interface NfcCardOptions {
  /** the card takes extended-length APDUs (ISO 7816-4 §5.1) */
  extendedApdus?: boolean;
  /** how long NFCCTAP_MSG with the GETRESPONSE bit may run before the card answers 9100 (ms) */
  updateAfterMs?: number;
  faults?: Partial<Record<NfcFault, boolean>>;
}

/** The most a card collects across a command chain before refusing it (6700). */
const MAX_CHAIN = 64 * 1024;

/**
 * The software key as an NFC card (CTAP 2.3 §11.3): the FIDO applet behind ISO 7816-4 APDUs, in
 * front of the same authenticator core the CTAPHID server uses. User presence is the tap: over
 * NFC the request is already the person's gesture, so the presence test resolves at once. Short
 * APDUs with command chaining and 61xx/GET RESPONSE, extended APDUs when enabled, NFCCTAP_MSG with
 * 9100 status updates polled by NFCCTAP_GETRESPONSE (which also cancels), and U2F APDUs. A power
 * cycle (the reader's power off/on) deselects the applet and drops what was pending.
 */
export class NfcCard {
  private selected = false;
  private chain?: { head: [number, number, number]; data: Uint8Array[]; length: number };
  private rest?: Uint8Array;
  private inflight?: { abort: AbortController; done?: Uint8Array; promise: Promise<Uint8Array> };
  readonly core: AuthenticatorCore;
  readonly o: NfcCardOptions;

  constructor(core: AuthenticatorCore, o: NfcCardOptions = {}) {
    this.core = core;
    this.o = o;
  }

  /** what the card answers to reset: chaining always, extended length when it takes it (or claims to) */
  atr(): Uint8Array {
    return contactlessAtr({ chaining: true, extended: !!this.o.extendedApdus || !!this.o.faults?.extendedClaimedNotAccepted });
  }

  /** the reader switched the field off and on: a new tap */
  powerCycle(): void {
    this.reset();
    this.core.powerCycle?.();
  }

  /** the card left the field (or was reset): nothing selected, nothing pending */
  reset(): void {
    this.selected = false;
    this.chain = undefined;
    this.rest = undefined;
    this.inflight?.abort.abort();
    this.inflight = undefined;
  }

  /** One command APDU in, one response APDU out; never throws (a broken command gets its status word). */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    let c: CommandApdu;
    try {
      c = parseCommand(apdu);
    } catch (e) {
      if (e instanceof ApduFormatError) return status(SW.WRONG_LENGTH);
      throw e;
    }
    if (c.extended && (!this.o.extendedApdus || this.o.faults?.extendedClaimedNotAccepted)) return status(SW.WRONG_LENGTH);
    // command chaining (ISO 7816-4 §5.4.1): collect, answer 9000, run on the last
    if (c.cla & CLA_CHAINING) {
      if (this.o.faults?.chainingBroken) return status(0x6884);
      const head: [number, number, number] = [c.ins, c.p1, c.p2];
      if (this.chain && this.chain.head.join() !== head.join()) {
        this.chain = undefined;
        return status(SW.LAST_COMMAND_EXPECTED);
      }
      this.chain ??= { head, data: [], length: 0 };
      this.chain.data.push(c.data);
      this.chain.length += c.data.length;
      if (this.chain.length > MAX_CHAIN) {
        this.chain = undefined;
        return status(SW.WRONG_LENGTH);
      }
      return status(SW.OK);
    }
    if (this.chain) {
      const chain = this.chain;
      this.chain = undefined;
      if (chain.head.join() !== [c.ins, c.p1, c.p2].join()) return status(SW.LAST_COMMAND_EXPECTED);
      c = { ...c, data: concat([...chain.data, c.data]) };
    }
    if (c.ins !== INS.GET_RESPONSE) this.rest = undefined;
    const answer = await this.dispatch(c);
    return this.respond(answer, c);
  }

  /** the answer's data cut to what Ne allows, the rest kept for GET RESPONSE (61xx) */
  private respond(answer: { data: Uint8Array; sw: number }, c: CommandApdu): Uint8Array {
    const limit = c.extended ? (c.ne ?? 65536) : (c.ne ?? 256);
    if (answer.sw !== SW.OK || answer.data.length <= limit || this.o.faults?.getResponseIgnoresLe) return withStatus(answer.data, answer.sw);
    this.rest = answer.data.subarray(limit);
    return withStatus(answer.data.subarray(0, limit), 0x6100 | Math.min(this.rest.length, 256) % 256);
  }

  private async dispatch(c: CommandApdu): Promise<{ data: Uint8Array; sw: number }> {
    if (c.ins === INS.SELECT && c.cla === 0x00) {
      if (c.p1 !== 0x04) return { data: new Uint8Array(), sw: SW.INCORRECT_P1P2 };
      if (!equal(c.data, FIDO_AID) && !this.o.faults?.selectAnyAid) {
        this.selected = false;
        return { data: new Uint8Array(), sw: SW.FILE_NOT_FOUND };
      }
      this.reset();
      this.selected = true;
      const version = this.o.faults?.selectWrongVersion ? 'FIDO_2_1' : this.core.msg ? 'U2F_V2' : 'FIDO_2_0';
      return { data: new TextEncoder().encode(version), sw: SW.OK };
    }
    if (!this.selected) return { data: new Uint8Array(), sw: SW.CONDITIONS_NOT_SATISFIED };
    if (c.ins === INS.GET_RESPONSE && c.cla === 0x00) {
      const rest = this.rest;
      this.rest = undefined;
      if (!rest) return { data: new Uint8Array(), sw: SW.CONDITIONS_NOT_SATISFIED };
      return { data: rest, sw: SW.OK };
    }
    if (c.cla === 0x80 && c.ins === INS.NFCCTAP_MSG) {
      if (c.data.length === 0) return { data: new Uint8Array(), sw: SW.WRONG_LENGTH };
      this.inflight?.abort.abort();
      const abort = new AbortController();
      const ctx: RequestContext = {
        signal: abort.signal,
        transport: 'nfc',
        // the tap is the presence: the person already brought the key to the reader
        userPresence: async () => {
          if (abort.signal.aborted) throw new PresenceCancelled('cancelled');
        },
      };
      const request = this.o.faults?.tapAlwaysPresence ? withoutUpFalse(c.data) : c.data;
      const inflight: NonNullable<NfcCard['inflight']> = {
        abort,
        promise: this.core.cbor(request, ctx).catch((e) => (e instanceof PresenceCancelled ? Uint8Array.of(CTAP_STATUS.CTAP2_ERR_KEEPALIVE_CANCEL) : Uint8Array.of(CTAP_STATUS.CTAP1_ERR_OTHER))),
      };
      void inflight.promise.then((r) => (inflight.done = r));
      this.inflight = inflight;
      return this.answerWhenDone(inflight, (c.p1 & P1_GETRESPONSE_SUPPORTED) !== 0);
    }
    if (c.cla === 0x80 && c.ins === INS.NFCCTAP_GETRESPONSE) {
      const inflight = this.inflight;
      if (!inflight) return { data: new Uint8Array(), sw: SW.CONDITIONS_NOT_SATISFIED };
      if (c.p1 === P1_CANCEL) inflight.abort.abort();
      return this.answerWhenDone(inflight, true);
    }
    if (c.cla === 0x00 && this.core.msg && [0x01, 0x02, 0x03].includes(c.ins)) {
      const r = await this.core.msg(encodeCommand({ ...c, extended: true }), { signal: new AbortController().signal, transport: 'nfc', userPresence: async () => {} });
      return { data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
    }
    if (c.cla !== 0x00 && c.cla !== 0x80) return { data: new Uint8Array(), sw: SW.CLA_NOT_SUPPORTED };
    return { data: new Uint8Array(), sw: SW.INS_NOT_SUPPORTED };
  }

  /** the answer when it comes within updateAfterMs, else (when the client polls) 9100 with PROCESSING */
  private async answerWhenDone(inflight: NonNullable<NfcCard['inflight']>, mayUpdate: boolean): Promise<{ data: Uint8Array; sw: number }> {
    const done = (r: Uint8Array) => {
      if (this.inflight === inflight) this.inflight = undefined;
      return { data: r, sw: SW.OK };
    };
    if (inflight.done) return done(inflight.done);
    if (!mayUpdate) return done(await inflight.promise);
    const r = await Promise.race([inflight.promise, new Promise<undefined>((resolve) => { (setTimeout(resolve, this.o.updateAfterMs ?? 100) as unknown as NodeJS.Timeout).unref?.(); })]);
    return r ? done(r) : { data: Uint8Array.of(KEEPALIVE.PROCESSING), sw: SW.UPDATE };
  }
}

/** the tapAlwaysPresence fault: a getAssertion's options lose "up": false (the card treats the tap as presence regardless) */
function withoutUpFalse(request: Uint8Array): Uint8Array {
  if (request[0] !== 0x02 || request.length < 2) return request;
  try {
    const params = decodeCbor(request.subarray(1), 'getAssertion').value;
    const options = params instanceof Map ? params.get(5) : undefined;
    if (!(options instanceof Map) || options.get('up') !== false) return request;
    options.delete('up');
    const body = encodeCbor(params);
    const out = new Uint8Array(body.length + 1);
    out[0] = 0x02;
    out.set(body, 1);
    return out;
  } catch {
    return request;
  }
}

function status(sw: number): Uint8Array {
  return withStatus(new Uint8Array(), sw);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
