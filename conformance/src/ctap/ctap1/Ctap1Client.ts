import { readTlv } from '../../asn1/der.ts';
import { deviceError } from '../CtapError.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import type { CtapConnection } from '../connection/CtapConnection.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import { U2F_SW, swName } from '../status.ts';

export const U2F_INS = { REGISTER: 0x01, AUTHENTICATE: 0x02, VERSION: 0x03 } as const;
/** U2F_AUTHENTICATE control byte */
export const U2F_P1 = { ENFORCE_UP: 0x03, CHECK_ONLY: 0x07, DONT_ENFORCE_UP: 0x08 } as const;

/** A U2F status word other than 0x9000. */
export class U2fError extends HarnessError {
  readonly sw: number;
  constructor(what: string, sw: number) {
    super('CTAP_STATUS', `${what} answered ${swName(sw)}`, { status: 424 });
    this.sw = sw;
  }
}

/** An extended-length APDU (ISO 7816-4), as CTAP 2.1 §11.2.9.1.1 carries U2F messages over CTAPHID_MSG. */
export function encodeApdu(ins: number, p1: number, p2: number, data: Uint8Array): Uint8Array {
  const lc = data.length;
  return Uint8Array.from([0x00, ins, p1, p2, 0x00, lc >> 8, lc & 0xff, ...data, 0x00, 0x00]);
}

export interface U2fRegistration {
  publicKey: Uint8Array;
  keyHandle: Uint8Array;
  certificate: Uint8Array;
  signature: Uint8Array;
}

export interface U2fAuthentication {
  userPresence: number;
  counter: number;
  signature: Uint8Array;
}

/**
 * CTAP1/U2F (FIDO U2F raw message formats) over CTAPHID_MSG: version, register, authenticate.
 * A key that wants a touch answers SW_CONDITIONS_NOT_SATISFIED; the client asks again until it
 * is touched or the time runs out.
 */
export class Ctap1Client {
  /** the key's connection (replaced when the key is power-cycled and connected again) */
  connection: CtapConnection;
  constructor(connection: CtapConnection) {
    this.connection = connection;
  }

  async apdu(ins: number, p1: number, data: Uint8Array, o?: CallOptions): Promise<{ sw: number; data: Uint8Array }> {
    const r = await this.connection.msg(encodeApdu(ins, p1, 0, data), o);
    if (r.length < 2) throw deviceError('DEVICE_PROTOCOL', `U2F answer of ${r.length} bytes has no status word`);
    return { sw: (r[r.length - 2]! << 8) | r[r.length - 1]!, data: r.subarray(0, r.length - 2) };
  }

  async version(o?: CallOptions): Promise<string> {
    const r = await this.apdu(U2F_INS.VERSION, 0, new Uint8Array(), o);
    if (r.sw !== U2F_SW.NO_ERROR) throw new U2fError('U2F_VERSION', r.sw);
    return Buffer.from(r.data).toString('latin1');
  }

  /** Asks again while the key says it waits for a touch. */
  private async untilTouched(what: string, fn: () => Promise<{ sw: number; data: Uint8Array }>, o?: CallOptions & { touchTimeoutMs?: number }) {
    const deadline = Date.now() + (o?.touchTimeoutMs ?? 30_000);
    for (;;) {
      const r = await fn();
      if (r.sw !== U2F_SW.CONDITIONS_NOT_SATISFIED) return r;
      o?.onKeepalive?.(2);
      if (Date.now() > deadline) throw deviceError('DEVICE_TIMEOUT', `${what}: the key waited for a touch and none came`);
      if (o?.signal?.aborted) throw new HarnessError('DEVICE_CANCELLED', `${what} cancelled`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async register(challengeParam: Uint8Array, appParam: Uint8Array, o?: CallOptions & { touchTimeoutMs?: number }): Promise<U2fRegistration> {
    const r = await this.untilTouched('U2F_REGISTER', () => this.apdu(U2F_INS.REGISTER, 0x00, Uint8Array.from([...challengeParam, ...appParam]), o), o);
    if (r.sw !== U2F_SW.NO_ERROR) throw new U2fError('U2F_REGISTER', r.sw);
    return parseRegistration(r.data);
  }

  async authenticate(challengeParam: Uint8Array, appParam: Uint8Array, keyHandle: Uint8Array, o?: CallOptions & { touchTimeoutMs?: number; p1?: number }): Promise<U2fAuthentication> {
    const data = Uint8Array.from([...challengeParam, ...appParam, keyHandle.length, ...keyHandle]);
    const p1 = o?.p1 ?? U2F_P1.ENFORCE_UP;
    const r = p1 === U2F_P1.CHECK_ONLY ? await this.apdu(U2F_INS.AUTHENTICATE, p1, data, o) : await this.untilTouched('U2F_AUTHENTICATE', () => this.apdu(U2F_INS.AUTHENTICATE, p1, data, o), o);
    if (r.sw !== U2F_SW.NO_ERROR) throw new U2fError('U2F_AUTHENTICATE', r.sw);
    if (r.data.length < 6) throw deviceError('DEVICE_PROTOCOL', `U2F_AUTHENTICATE answered ${r.data.length} bytes (presence, counter and a signature expected)`);
    return { userPresence: r.data[0]!, counter: new DataView(r.data.buffer, r.data.byteOffset + 1, 4).getUint32(0), signature: r.data.subarray(5) };
  }
}

/** 0x05 | public key (65) | L | key handle (L) | attestation certificate (DER) | signature */
export function parseRegistration(d: Uint8Array): U2fRegistration {
  const bad = (why: string) => deviceError('DEVICE_PROTOCOL', `U2F_REGISTER answer: ${why}`);
  if (d.length < 67 || d[0] !== 0x05) throw bad('does not start with the reserved byte 0x05 and a 65-byte public key');
  const publicKey = d.subarray(1, 66);
  if (publicKey[0] !== 0x04) throw bad('the public key is not an uncompressed P-256 point');
  const l = d[66]!;
  if (d.length < 67 + l + 2) throw bad(`key handle of ${l} bytes runs past the end`);
  const keyHandle = d.subarray(67, 67 + l);
  let certEnd: number;
  try {
    certEnd = readTlv(d, 67 + l).end;
  } catch (e) {
    throw bad(`the attestation certificate is not DER: ${(e as Error).message}`);
  }
  return { publicKey, keyHandle, certificate: d.subarray(67 + l, certEnd), signature: d.subarray(certEnd) };
}
