/**
 * ISO/IEC 7816-4 command and response APDUs, both ways: what the NFC transport sends (CTAP 2.3
 * §11.3: SELECT, NFCCTAP_MSG, NFCCTAP_GETRESPONSE, GET RESPONSE) and what the software key's card
 * parses. Short (Lc and Le one byte each, Le 0 = 256) and extended (a 0x00 marker, then two-byte
 * Lc and Le, Le 0 = 65536) forms, cases 1 to 4 (ISO 7816-4 §5.1).
 */

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Ne, the most response bytes wanted; undefined: no Le field (cases 1 and 3) */
  ne?: number;
  /** the extended-length form */
  extended: boolean;
}

/** CLA bit 0x10: more command APDUs of this chain follow (ISO 7816-4 §5.4.1) */
export const CLA_CHAINING = 0x10;
/** the FIDO applet (CTAP 2.3 §11.3.3) */
export const FIDO_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x01);

export const INS = {
  SELECT: 0xa4,
  GET_RESPONSE: 0xc0,
  /** CTAP 2.3 §11.3.5 */
  NFCCTAP_MSG: 0x10,
  /** CTAP 2.3 §11.3.7 */
  NFCCTAP_GETRESPONSE: 0x11,
} as const;

/** NFCCTAP_MSG P1 bit: the client polls NFCCTAP_GETRESPONSE, so the card may answer 9100 (§11.3.7.1) */
export const P1_GETRESPONSE_SUPPORTED = 0x80;
/** NFCCTAP_GETRESPONSE P1 that asks the card to cancel the request in flight (CTAP 2.3 §11.3.7.2; 0x11, as other CTAP NFC clients send it) */
export const P1_CANCEL = 0x11;

export const SW = {
  OK: 0x9000,
  /** NFCCTAP: still processing, the data byte is the keepalive status (§11.3.7) */
  UPDATE: 0x9100,
  WRONG_LENGTH: 0x6700,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  LAST_COMMAND_EXPECTED: 0x6883,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

const SW_NAMES: Record<number, string> = {
  0x9000: 'success',
  0x9100: 'NFCCTAP status update (still processing)',
  0x6700: 'wrong length',
  0x6882: 'secure messaging not supported',
  0x6883: 'last command of the chain expected',
  0x6884: 'command chaining not supported',
  0x6982: 'security status not satisfied',
  0x6985: 'conditions of use not satisfied',
  0x6a80: 'incorrect data',
  0x6a82: 'application or file not found',
  0x6a86: 'incorrect P1-P2',
  0x6d00: 'instruction not supported',
  0x6e00: 'class not supported',
  0x6f00: 'no precise diagnosis',
};

/** "6A82 (application or file not found)"; 61xx and 6Cxx by their meaning. */
export function statusWordName(sw: number): string {
  const hex = sw.toString(16).toUpperCase().padStart(4, '0');
  const sw1 = sw >> 8;
  if (sw1 === 0x61) return `${hex} (${sw & 0xff || 256} more bytes: GET RESPONSE)`;
  if (sw1 === 0x6c) return `${hex} (wrong Le: ${sw & 0xff || 256} bytes available)`;
  return SW_NAMES[sw] ? `${hex} (${SW_NAMES[sw]})` : hex;
}

/** Encodes a command APDU; the extended form when asked for or when Lc or Ne do not fit a byte. */
export function encodeCommand(c: { cla: number; ins: number; p1: number; p2: number; data?: Uint8Array; ne?: number; extended?: boolean }): Uint8Array {
  const data = c.data ?? new Uint8Array();
  const extended = c.extended || data.length > 255 || (c.ne ?? 0) > 256;
  if (data.length > 65535 || (c.ne ?? 0) > 65536) throw new RangeError(`an APDU carries at most 65535 bytes of data and asks for at most 65536 (Lc ${data.length}, Ne ${c.ne})`);
  const head = [c.cla, c.ins, c.p1, c.p2];
  const out: number[] = [...head];
  if (!extended) {
    if (data.length) out.push(data.length, ...data);
    if (c.ne !== undefined) out.push(c.ne === 256 ? 0 : c.ne);
    return Uint8Array.from(out);
  }
  if (data.length) out.push(0, data.length >> 8, data.length & 0xff, ...data);
  if (c.ne !== undefined) {
    const le = c.ne === 65536 ? 0 : c.ne;
    if (data.length) out.push(le >> 8, le & 0xff);
    else out.push(0, le >> 8, le & 0xff);
  }
  return Uint8Array.from(out);
}

/** Why a command APDU does not parse (the card answers 6700 wrong length). */
export class ApduFormatError extends Error {}

/** Parses a command APDU in any of the seven forms of ISO 7816-4 §5.1. */
export function parseCommand(b: Uint8Array): CommandApdu {
  if (b.length < 4) throw new ApduFormatError(`${b.length} bytes: a command APDU has at least a 4-byte header`);
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const base = { cla, ins, p1, p2 };
  const body = b.subarray(4);
  if (body.length === 0) return { ...base, data: new Uint8Array(), extended: false };
  if (body.length === 1) return { ...base, data: new Uint8Array(), ne: body[0] || 256, extended: false };
  if (body[0] !== 0) {
    const lc = body[0]!;
    if (body.length === 1 + lc) return { ...base, data: body.slice(1), extended: false };
    if (body.length === 2 + lc) return { ...base, data: body.slice(1, 1 + lc), ne: body[1 + lc] || 256, extended: false };
    throw new ApduFormatError(`Lc ${lc} and ${body.length - 1} bytes after it do not agree`);
  }
  // extended: 0x00 then two bytes
  if (body.length === 3) return { ...base, data: new Uint8Array(), ne: ((body[1]! << 8) | body[2]!) || 65536, extended: true };
  if (body.length < 3) throw new ApduFormatError(`${body.length} bytes after the header: neither a short nor an extended length`);
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new ApduFormatError('extended Lc of 0');
  if (body.length === 3 + lc) return { ...base, data: body.slice(3, 3 + lc), extended: true };
  if (body.length === 5 + lc) return { ...base, data: body.slice(3, 3 + lc), ne: ((body[3 + lc]! << 8) | body[4 + lc]!) || 65536, extended: true };
  throw new ApduFormatError(`extended Lc ${lc} and ${body.length - 3} bytes after it do not agree`);
}

/** Response data and status word (SW1 SW2 last). */
export function splitResponse(r: Uint8Array): { data: Uint8Array; sw: number } {
  if (r.length < 2) throw new ApduFormatError(`${r.length} byte(s): a response APDU ends with a two-byte status word`);
  return { data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
}

export function withStatus(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
