import type { CallOptions } from '../connection/CallOptions.ts';
import type { CtapConnection } from '../connection/CtapConnection.ts';
import { deviceError } from '../CtapError.ts';
import { KEEPALIVE } from '../constants.ts';
import { cardCapabilities } from './atr.ts';
import { CLA_CHAINING, FIDO_AID, INS, P1_CANCEL, P1_GETRESPONSE_SUPPORTED, SW, encodeCommand, parseCommand, splitResponse, statusWordName, withStatus } from './apdu.ts';

/** One way to move APDUs to a card: PC/SC (a reader), or a card in this process. */
export interface ApduTransport {
  /** "pcsc:Virtual PCD 00 00", "in-process card" */
  readonly description: string;
  /** the card's ATR, when the transport knows it (PC/SC does) */
  readonly atr?: Uint8Array;
  /** one command APDU out, its response APDU back; DEVICE_TIMEOUT after `timeoutMs` */
  transmit(apdu: Uint8Array, o?: { timeoutMs?: number }): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The most response bytes a 61xx chain may add up to before the client calls it endless. */
const MAX_RESPONSE = 1024 * 1024;
/** The most GET RESPONSEs one answer may take (a card answering 61xx with no data would loop forever). */
const MAX_GET_RESPONSES = 4096;
/** The most command bytes of one chained short APDU (python-fido2 and libfido2 send 250 or 255). */
const CHAIN_CHUNK = 255;
/** How often a 9100 answer is polled again with NFCCTAP_GETRESPONSE. */
const POLL_MS = 20;

export interface NfcOptions {
  /** send long commands as extended-length APDUs instead of chaining short ones (default: when the ATR claims extended length, falling back to chaining if the card refuses) */
  extended?: boolean;
  timeoutMs?: number;
}

/**
 * CTAP over NFC (CTAP 2.3 §11.3) on any APDU transport: SELECT of the FIDO applet, NFCCTAP_MSG
 * with the bit that lets the card answer 9100 while it works (polled with NFCCTAP_GETRESPONSE,
 * whose cancel form ends the request), short APDUs chained (CLA 0x90) or extended ones, 61xx
 * answered with GET RESPONSE, U2F APDUs as they are. Every answer is checked: a status word
 * other than the one expected, a response too short for a status word, or a 61xx chain that
 * never ends is an error naming the APDU.
 */
export class NfcConnection implements CtapConnection {
  readonly kind = 'nfc' as const;
  readonly transport: ApduTransport;
  /** what SELECT answered: "U2F_V2" or "FIDO_2_0" */
  readonly version: string;
  supportsCbor = true;
  readonly supportsMsg: boolean;
  readonly o: NfcOptions;
  private cancelled = false;
  /** extended APDUs in use: asked for, or claimed by the ATR and not refused yet */
  private extended: boolean;

  private constructor(transport: ApduTransport, version: string, o: NfcOptions) {
    this.transport = transport;
    this.version = version;
    this.supportsMsg = version === 'U2F_V2';
    this.o = o;
    this.extended = o.extended ?? cardCapabilities(transport.atr)?.extended ?? false;
  }

  get description(): string {
    return this.transport.description;
  }

  /** Selects the FIDO applet; a card that does not answer 9000 is no FIDO authenticator. */
  static async open(transport: ApduTransport, o: NfcOptions = {}): Promise<NfcConnection> {
    const { data, sw } = await selectFidoApplet(transport, o.timeoutMs);
    if (sw !== SW.OK) throw deviceError('DEVICE_NOT_FOUND', `${transport.description}: SELECT of the FIDO applet (A0000006472F0001) answered ${statusWordName(sw)}: no FIDO authenticator on this card`);
    const version = new TextDecoder('utf-8', { fatal: false }).decode(data);
    const c = new NfcConnection(transport, version, o);
    // a U2F_V2 applet may speak CTAP2 too: getInfo tells (python-fido2 asks the same way)
    if (version === 'U2F_V2') c.supportsCbor = await c.cbor(0x04, new Uint8Array(), { timeoutMs: o.timeoutMs }).then((r) => r.status === 0, () => false);
    return c;
  }

  /**
   * One command, chained or extended, with its 61xx continuation read through GET RESPONSE: the
   * whole response data and the final status word.
   */
  async exchange(command: { cla: number; ins: number; p1: number; p2: number; data?: Uint8Array }, what: string, o?: CallOptions & { form?: 'short' }): Promise<{ data: Uint8Array; sw: number }> {
    const data = command.data ?? new Uint8Array();
    // the header only: the length form is this connection's choice, whatever the caller's APDU had
    const c = { cla: command.cla, ins: command.ins, p1: command.p1, p2: command.p2 };
    const timeoutMs = o?.timeoutMs ?? this.o.timeoutMs;
    let first: { data: Uint8Array; sw: number };
    if (this.extended && data.length > CHAIN_CHUNK && o?.form !== 'short') {
      first = await exchangeOnce(this.transport, encodeCommand({ ...c, data, ne: 65536, extended: true }), what, timeoutMs);
      // a card that claimed extended length and refuses it: short APDUs with chaining from now on
      if (first.sw === SW.WRONG_LENGTH && this.o.extended === undefined) {
        this.extended = false;
        return this.exchange(command, what, o);
      }
    } else if (data.length <= CHAIN_CHUNK) {
      first = await exchangeOnce(this.transport, encodeCommand({ ...c, data, ne: 256 }), what, timeoutMs);
    } else {
      let at = 0;
      for (; data.length - at > CHAIN_CHUNK; at += CHAIN_CHUNK) {
        const r = await exchangeOnce(this.transport, encodeCommand({ ...c, cla: c.cla | CLA_CHAINING, data: data.subarray(at, at + CHAIN_CHUNK) }), `${what} (chained part ${at / CHAIN_CHUNK + 1})`, timeoutMs);
        if (r.sw !== SW.OK) return r;
      }
      first = await exchangeOnce(this.transport, encodeCommand({ ...c, data: data.subarray(at), ne: 256 }), `${what} (last chained part)`, timeoutMs);
    }
    return this.rest(first, what, timeoutMs);
  }

  /** 61xx: GET RESPONSE with Le = xx until the card says 9000 (or anything else) */
  private async rest(first: { data: Uint8Array; sw: number }, what: string, timeoutMs?: number): Promise<{ data: Uint8Array; sw: number }> {
    const parts = [first.data];
    let total = first.data.length;
    let r = first;
    for (let rounds = 0; r.sw >> 8 === 0x61; rounds++) {
      if (rounds >= MAX_GET_RESPONSES) throw deviceError('DEVICE_PROTOCOL', `${this.description}: ${what}: the 61xx chain did not end after ${MAX_GET_RESPONSES} GET RESPONSEs`);
      r = await exchangeOnce(this.transport, encodeCommand({ cla: 0x00, ins: INS.GET_RESPONSE, p1: 0, p2: 0, ne: r.sw & 0xff || 256 }), `GET RESPONSE after ${what}`, timeoutMs);
      parts.push(r.data);
      total += r.data.length;
      if (total > MAX_RESPONSE) throw deviceError('DEVICE_PROTOCOL', `${this.description}: ${what}: the 61xx chain went past ${MAX_RESPONSE} bytes without ending`);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return { data: out, sw: r.sw };
  }

  async cbor(command: number, params: Uint8Array, o?: CallOptions): Promise<{ status: number; body: Uint8Array }> {
    this.cancelled = false;
    const what = `NFCCTAP_MSG (CTAP2 command 0x${command.toString(16).padStart(2, '0')})`;
    let r = await this.exchange({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: P1_GETRESPONSE_SUPPORTED, p2: 0, data: Uint8Array.from([command, ...params]) }, what, o);
    const started = Date.now();
    let upNeeded = false;
    while (r.sw === SW.UPDATE) {
      const ka = r.data[0];
      if (ka === KEEPALIVE.UP_NEEDED) upNeeded = true;
      if (ka !== undefined) o?.onKeepalive?.(ka);
      const limit = upNeeded ? (o?.userPresenceTimeoutMs ?? 30_000) : (o?.timeoutMs ?? this.o.timeoutMs ?? 5000);
      const cancel = this.cancelled || o?.signal?.aborted === true;
      if (!cancel && Date.now() - started > limit) {
        await this.exchange({ cla: 0x80, ins: INS.NFCCTAP_GETRESPONSE, p1: P1_CANCEL, p2: 0 }, 'NFCCTAP_GETRESPONSE (cancel)', o).catch(() => {});
        throw deviceError('DEVICE_TIMEOUT', `${this.description}: ${what} still answered 9100 after ${limit} ms`);
      }
      if (!cancel) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      r = await this.exchange({ cla: 0x80, ins: INS.NFCCTAP_GETRESPONSE, p1: cancel ? P1_CANCEL : 0, p2: 0 }, 'NFCCTAP_GETRESPONSE', o);
    }
    if (r.sw !== SW.OK) throw deviceError('DEVICE_PROTOCOL', `${this.description}: ${what} answered ${statusWordName(r.sw)}`);
    if (r.data.length === 0) throw deviceError('DEVICE_PROTOCOL', `${this.description}: ${what}: the answer is empty (a CTAP status byte is required)`);
    return { status: r.data[0]!, body: r.data.subarray(1) };
  }

  /** A U2F APDU as CTAPHID_MSG carries it: the response data and status word back. */
  async msg(apdu: Uint8Array, o?: CallOptions): Promise<Uint8Array> {
    const c = parseCommand(apdu);
    const r = await this.exchange(c, `U2F INS 0x${c.ins.toString(16).padStart(2, '0')}`, o);
    return withStatus(r.data, r.sw);
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
  }

  details(): Record<string, unknown> {
    return { transport: 'NFCCTAP', applet: this.version, apdus: this.extended ? 'extended for long commands' : 'short, chained' };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** One APDU and its answer split; an answer shorter than a status word is a protocol error naming the APDU. */
export async function exchangeOnce(t: ApduTransport, apdu: Uint8Array, what: string, timeoutMs?: number): Promise<{ data: Uint8Array; sw: number }> {
  const r = await t.transmit(apdu, { timeoutMs });
  if (r.length < 2) throw deviceError('DEVICE_PROTOCOL', `${t.description}: ${what} answered ${r.length} byte(s): a response APDU ends with a two-byte status word`);
  return splitResponse(r);
}

/** SELECT of the FIDO applet (CTAP 2.3 §11.3.3): the answer's data (the version string) and status word. */
export function selectFidoApplet(t: ApduTransport, timeoutMs?: number): Promise<{ data: Uint8Array; sw: number }> {
  return exchangeOnce(t, encodeCommand({ cla: 0x00, ins: INS.SELECT, p1: 0x04, p2: 0x00, data: FIDO_AID, ne: 256 }), 'SELECT of the FIDO applet', timeoutMs);
}

/** A card in this process behind the APDU seam (tests, fuzzing, check --emulate over NFC). */
export function inProcessCard(card: { transmit(apdu: Uint8Array): Promise<Uint8Array>; atr?(): Uint8Array }, description = 'in-process card'): ApduTransport {
  let closed = false;
  return {
    description,
    atr: card.atr?.(),
    async transmit(apdu) {
      if (closed) throw deviceError('DEVICE_UNREACHABLE', `${description} is closed`);
      return card.transmit(apdu);
    },
    async close() {
      closed = true;
    },
  };
}
