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
}

/**
 * Parse authenticator data (WebAuthn L3 §6.1, §6.5.1). Structural problems (truncation,
 * flags promising data that is absent, trailing bytes) are bad input: HarnessError. The
 * conformance evaluation passes `allowTrailing` so it can name trailing bytes as the key's
 * defect and still judge the rest; the relying party never does.
 */
export function parseAuthenticatorData(bytes: Uint8Array, o: { allowTrailing?: boolean } = {}): AuthenticatorData {
  if (bytes.length < 37) {
    throw new HarnessError('BAD_AUTHENTICATOR_DATA', `authenticatorData is ${bytes.length} bytes; at least 37 (rpIdHash 32 + flags 1 + signCount 4) are required`);
  }
  const f = bytes[32]!;
  const flags: AuthDataFlags = {
    UP: !!(f & 0x01),
    UV: !!(f & 0x04),
    BE: !!(f & 0x08),
    BS: !!(f & 0x10),
    AT: !!(f & 0x40),
    ED: !!(f & 0x80),
    value: f,
  };
  const signCount = new DataView(bytes.buffer, bytes.byteOffset + 33, 4).getUint32(0);
  let pos = 37;
  const nonCanonical: string[] = [];
  let attestedCredentialData: AttestedCredentialData | undefined;
  if (flags.AT) {
    if (bytes.length < pos + 18) {
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', `AT flag is set but authenticatorData ends after ${bytes.length} bytes, before the AAGUID and credential ID length (need ${pos + 18})`);
    }
    const aaguid = bytes.slice(pos, pos + 16);
    const idLen = (bytes[pos + 16]! << 8) | bytes[pos + 17]!;
    pos += 18;
    if (idLen > 1023) {
      // §6.5.1: credentialIdLength MUST be <= 1023
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', `credentialIdLength is ${idLen}; WebAuthn §6.5.1 allows at most 1023`);
    }
    if (bytes.length < pos + idLen) {
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', `credential ID claims ${idLen} bytes but only ${bytes.length - pos} remain`);
    }
    const credentialId = bytes.slice(pos, pos + idLen);
    pos += idLen;
    const key = decodeCborItem(bytes, pos, 'credentialPublicKey');
    if (!(key.value instanceof Map)) {
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', 'credentialPublicKey is not a CBOR map (COSE_Key)');
    }
    nonCanonical.push(...key.nonCanonical.map((m) => `credentialPublicKey: ${m}`));
    attestedCredentialData = { aaguid, credentialId, publicKeyBytes: bytes.slice(pos, key.end), publicKey: key.value };
    pos = key.end;
  }
  let extensions: Map<number | string, CborValue> | undefined;
  if (flags.ED) {
    if (pos >= bytes.length) {
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', 'ED flag is set but no extensions follow');
    }
    const ext = decodeCborItem(bytes, pos, 'authenticator extensions');
    if (!(ext.value instanceof Map)) {
      throw new HarnessError('BAD_AUTHENTICATOR_DATA', 'authenticator extensions are not a CBOR map');
    }
    nonCanonical.push(...ext.nonCanonical.map((m) => `extensions: ${m}`));
    extensions = ext.value;
    pos = ext.end;
  }
  if (pos !== bytes.length && !o.allowTrailing) {
    throw new HarnessError('BAD_AUTHENTICATOR_DATA', `${bytes.length - pos} trailing byte(s) after authenticatorData (flags AT=${flags.AT} ED=${flags.ED} account for ${pos} bytes)`);
  }
  return { bytes, rpIdHash: bytes.subarray(0, 32), flags, signCount, attestedCredentialData, extensions, nonCanonical, trailing: bytes.length - pos };
}
