import { HarnessError } from '../errors/HarnessError.ts';
import { decodeCborItem, type CborValue } from '../cbor/decodeCbor.ts';

/** WebAuthn L3 §6.1 authenticator data flags. */
export interface AuthDataFlags {
  UP: boolean;
  UV: boolean;
  BE: boolean;
  BS: boolean;
  AT: boolean;
  ED: boolean;
  /** the raw flags byte */
  value: number;
}

export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  /** the COSE_Key bytes exactly as sent */
  publicKeyBytes: Uint8Array;
  publicKey: Map<number | string, CborValue>;
}

/** Where authenticator data stops making sense: the byte offset, what belonged there, what came. */
export interface AuthDataDefect {
  offset: number;
  expected: string;
  actual: string;
}

export interface AuthenticatorData {
  bytes: Uint8Array;
  rpIdHash: Uint8Array;
  flags: AuthDataFlags;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
  extensions?: Map<number | string, CborValue>;
  /** canonical-CBOR violations in the embedded COSE key / extensions */
  nonCanonical: string[];
  /** bytes after the last item the flags account for (only with `allowTrailing`; otherwise refused) */
  trailing: number;
  /**
   * `lenient` parsing only: the first structural defect (the data is the key's or the browser's
   * fault, reported as a failed verification), and what could still be decoded before it
   */
  defect?: AuthDataDefect;
  /** the AAGUID, when the bytes reach that far even though the attested credential data is incomplete */
  aaguid?: Uint8Array;
}

class Defect extends Error {
  readonly d: AuthDataDefect;
  constructor(d: AuthDataDefect) {
    super(`authenticatorData at byte offset ${d.offset}: expected ${d.expected}; ${d.actual}`);
    this.d = d;
  }
}

/**
 * Parse authenticator data (WebAuthn L3 §6.1, §6.5.1). A structural problem (truncation, flags
 * promising data that is absent, a COSE key that is not one CBOR map, trailing bytes) is found
 * with its byte offset. Strict (default): thrown as BAD_AUTHENTICATOR_DATA. `lenient`: returned
 * in `defect` with everything decoded before it (flags, counter, AAGUID, credential ID), so
 * inspect and the RP can report a failed verification that names the byte instead of refusing
 * the input. `allowTrailing`: trailing bytes are counted, not a defect (the conformance evaluation
 * names them through HYG_NO_TRAILING_BYTES and judges the rest).
 */
export function parseAuthenticatorData(bytes: Uint8Array, o: { allowTrailing?: boolean; lenient?: boolean } = {}): AuthenticatorData {
  const out: AuthenticatorData = { bytes, rpIdHash: bytes.subarray(0, 32), flags: flagsOf(bytes[32] ?? 0), signCount: 0, nonCanonical: [], trailing: 0 };
  try {
    parseInto(out, bytes, o);
    return out;
  } catch (e) {
    if (!(e instanceof Defect)) throw e;
    if (!o.lenient) throw new HarnessError('BAD_AUTHENTICATOR_DATA', e.message);
    out.defect = e.d;
    return out;
  }
}

function flagsOf(f: number): AuthDataFlags {
  return { UP: !!(f & 0x01), UV: !!(f & 0x04), BE: !!(f & 0x08), BS: !!(f & 0x10), AT: !!(f & 0x40), ED: !!(f & 0x80), value: f };
}

function cborAt(bytes: Uint8Array, pos: number, what: string, expected: string) {
  try {
    return decodeCborItem(bytes, pos, what);
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    throw new Defect({ offset: pos, expected, actual: e.message });
  }
}

function parseInto(out: AuthenticatorData, bytes: Uint8Array, o: { allowTrailing?: boolean }): void {
  if (bytes.length < 37) {
    throw new Defect({ offset: bytes.length, expected: 'at least 37 bytes (rpIdHash 32, flags 1, signCount 4)', actual: `authenticatorData is ${bytes.length} bytes` });
  }
  const flags = out.flags;
  out.signCount = new DataView(bytes.buffer, bytes.byteOffset + 33, 4).getUint32(0);
  let pos = 37;
  if (flags.AT) {
    if (bytes.length >= pos + 16) out.aaguid = bytes.slice(pos, pos + 16);
    if (bytes.length < pos + 18) {
      throw new Defect({ offset: pos, expected: 'attested credential data: the 16-byte AAGUID and the 2-byte credential ID length (AT flag is set)', actual: `AT flag is set but authenticatorData ends after ${bytes.length} bytes, ${bytes.length - pos} of the 18 needed` });
    }
    const aaguid = bytes.slice(pos, pos + 16);
    const idLen = (bytes[pos + 16]! << 8) | bytes[pos + 17]!;
    pos += 18;
    if (idLen > 1023) {
      // §6.5.1: credentialIdLength MUST be <= 1023
      throw new Defect({ offset: pos - 2, expected: 'a credentialIdLength of at most 1023 (WebAuthn §6.5.1)', actual: `credentialIdLength is ${idLen}` });
    }
    if (bytes.length < pos + idLen) {
      throw new Defect({ offset: pos, expected: `the ${idLen}-byte credential ID`, actual: `credential ID claims ${idLen} bytes but only ${bytes.length - pos} remain` });
    }
    const credentialId = bytes.slice(pos, pos + idLen);
    pos += idLen;
    const key = cborAt(bytes, pos, 'credentialPublicKey', 'the credential public key, one CBOR map (COSE_Key)');
    if (!(key.value instanceof Map)) {
      throw new Defect({ offset: pos, expected: 'the credential public key, a CBOR map (COSE_Key)', actual: 'credentialPublicKey is not a CBOR map (COSE_Key)' });
    }
    out.nonCanonical.push(...key.nonCanonical.map((m) => `credentialPublicKey: ${m}`));
    out.attestedCredentialData = { aaguid, credentialId, publicKeyBytes: bytes.slice(pos, key.end), publicKey: key.value };
    pos = key.end;
  }
  if (flags.ED) {
    if (pos >= bytes.length) {
      throw new Defect({ offset: pos, expected: 'the extensions map (ED flag is set)', actual: 'ED flag is set but no extensions follow' });
    }
    const ext = cborAt(bytes, pos, 'authenticator extensions', 'the authenticator extensions, one CBOR map');
    if (!(ext.value instanceof Map)) {
      throw new Defect({ offset: pos, expected: 'the authenticator extensions, a CBOR map', actual: 'authenticator extensions are not a CBOR map' });
    }
    out.nonCanonical.push(...ext.nonCanonical.map((m) => `extensions: ${m}`));
    out.extensions = ext.value;
    pos = ext.end;
  }
  out.trailing = bytes.length - pos;
  if (pos !== bytes.length && !o.allowTrailing) {
    throw new Defect({ offset: pos, expected: `the end of authenticatorData (flags AT=${flags.AT} ED=${flags.ED} account for ${pos} bytes)`, actual: `${bytes.length - pos} trailing byte(s) after authenticatorData` });
  }
}
