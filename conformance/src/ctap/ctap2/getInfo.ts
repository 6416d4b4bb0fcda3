import { decodeCbor, type CborValue } from '../../cbor/decodeCbor.ts';
import { formatAaguid } from '../../encoding/formatAaguid.ts';
import crypto from 'node:crypto';
import { deviceError } from '../CtapError.ts';

/** authenticatorGetInfo members (CTAP 2.3 §6.4, through authenticatorConfigCommands), the key each is sent under and its shape. */
export const GET_INFO_MEMBERS = {
  versions: { key: 0x01, shape: 'text[]' },
  extensions: { key: 0x02, shape: 'text[]' },
  aaguid: { key: 0x03, shape: 'aaguid' },
  options: { key: 0x04, shape: 'options' },
  maxMsgSize: { key: 0x05, shape: 'uint' },
  pinUvAuthProtocols: { key: 0x06, shape: 'uint[]' },
  maxCredentialCountInList: { key: 0x07, shape: 'uint' },
  maxCredentialIdLength: { key: 0x08, shape: 'uint' },
  transports: { key: 0x09, shape: 'text[]' },
  algorithms: { key: 0x0a, shape: 'algorithms' },
  maxSerializedLargeBlobArray: { key: 0x0b, shape: 'uint' },
  forcePINChange: { key: 0x0c, shape: 'bool' },
  minPINLength: { key: 0x0d, shape: 'uint' },
  firmwareVersion: { key: 0x0e, shape: 'uint' },
  maxCredBlobLength: { key: 0x0f, shape: 'uint' },
  maxRPIDsForSetMinPINLength: { key: 0x10, shape: 'uint' },
  preferredPlatformUvAttempts: { key: 0x11, shape: 'uint' },
  uvModality: { key: 0x12, shape: 'uint' },
  certifications: { key: 0x13, shape: 'certifications' },
  remainingDiscoverableCredentials: { key: 0x14, shape: 'uint' },
  vendorPrototypeConfigCommands: { key: 0x15, shape: 'uint[]' },
  attestationFormats: { key: 0x16, shape: 'text[]' },
  uvCountSinceLastPinEntry: { key: 0x17, shape: 'uint' },
  longTouchForReset: { key: 0x18, shape: 'bool' },
  encIdentifier: { key: 0x19, shape: 'bytes' },
  transportsForReset: { key: 0x1a, shape: 'text[]' },
  pinComplexityPolicy: { key: 0x1b, shape: 'bool' },
  pinComplexityPolicyURL: { key: 0x1c, shape: 'bytes' },
  maxPINLength: { key: 0x1d, shape: 'uint' },
  encCredStoreState: { key: 0x1e, shape: 'bytes' },
  authenticatorConfigCommands: { key: 0x1f, shape: 'uint[]' },
} as const;

export type GetInfoMember = keyof typeof GET_INFO_MEMBERS;
const BY_KEY = new Map<number, GetInfoMember>(Object.entries(GET_INFO_MEMBERS).map(([n, d]) => [d.key, n as GetInfoMember]));

/** getInfo decoded: every member by name, plus what did not fit (kept, not dropped). */
export interface AuthenticatorInfo {
  versions: string[];
  extensions: string[];
  aaguid: Uint8Array;
  /** 8-4-4-4-12 */
  aaguidText: string;
  options: Record<string, boolean>;
  maxMsgSize?: number;
  pinUvAuthProtocols: number[];
  maxCredentialCountInList?: number;
  maxCredentialIdLength?: number;
  transports: string[];
  algorithms: { type: string; alg: number }[];
  maxSerializedLargeBlobArray?: number;
  forcePINChange?: boolean;
  minPINLength?: number;
  firmwareVersion?: number;
  maxCredBlobLength?: number;
  maxRPIDsForSetMinPINLength?: number;
  preferredPlatformUvAttempts?: number;
  uvModality?: number;
  certifications?: Record<string, number>;
  remainingDiscoverableCredentials?: number;
  vendorPrototypeConfigCommands?: number[];
  attestationFormats?: string[];
  uvCountSinceLastPinEntry?: number;
  longTouchForReset?: boolean;
  encIdentifier?: Uint8Array;
  transportsForReset?: string[];
  pinComplexityPolicy?: boolean;
  pinComplexityPolicyURL?: Uint8Array;
  maxPINLength?: number;
  encCredStoreState?: Uint8Array;
  authenticatorConfigCommands?: number[];
  /** members with keys this harness does not know */
  unknown: Record<string, CborValue>;
  /** members that are present but malformed, and required members that are absent (CTAP 2.1 §6.4) */
  problems: string[];
  /** CTAP2 canonical CBOR violations in the answer */
  nonCanonical: string[];
  /** the answer's bytes after the status byte */
  raw: Uint8Array;
}

const uint = (v: CborValue) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function shaped(shape: string, v: CborValue): unknown {
  switch (shape) {
    case 'text[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    case 'uint[]':
      return Array.isArray(v) && v.every(uint) ? v : undefined;
    case 'uint':
      return uint(v) ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'bytes':
      return v instanceof Uint8Array ? v : undefined;
    case 'aaguid':
      return v instanceof Uint8Array && v.length === 16 ? v : undefined;
    case 'options':
      return v instanceof Map && [...v].every(([k, x]) => typeof k === 'string' && typeof x === 'boolean') ? Object.fromEntries(v) : undefined;
    case 'certifications':
      return v instanceof Map && [...v].every(([k, x]) => typeof k === 'string' && uint(x)) ? Object.fromEntries(v) : undefined;
    case 'algorithms':
      return Array.isArray(v) && v.every((a) => a instanceof Map && typeof a.get('type') === 'string' && typeof a.get('alg') === 'number')
        ? v.map((a) => ({ type: (a as Map<string, CborValue>).get('type') as string, alg: (a as Map<string, CborValue>).get('alg') as number }))
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The body of an authenticatorGetInfo answer. Not a map at all: the device answered garbage
 * (DEVICE_PROTOCOL). A member of the wrong shape, or a required member missing, is a defect of
 * the device: kept in `problems` for the getInfo checks, and decoding goes on.
 */
export function decodeGetInfo(body: Uint8Array): AuthenticatorInfo {
  let decoded;
  try {
    decoded = decodeCbor(body, 'authenticatorGetInfo');
  } catch (e) {
    throw deviceError('DEVICE_PROTOCOL', `authenticatorGetInfo answered bytes that are not one CBOR item: ${(e as Error).message}`, e);
  }
  if (!(decoded.value instanceof Map)) throw deviceError('DEVICE_PROTOCOL', 'authenticatorGetInfo answered CBOR that is not a map');
  const info: AuthenticatorInfo = { versions: [], extensions: [], aaguid: new Uint8Array(16), aaguidText: '', options: {}, pinUvAuthProtocols: [], transports: [], algorithms: [], unknown: {}, problems: [], nonCanonical: decoded.nonCanonical, raw: body };
  const seen = new Set<GetInfoMember>();
  for (const [k, v] of decoded.value) {
    const member = typeof k === 'number' ? BY_KEY.get(k) : undefined;
    if (!member) {
      info.unknown[String(k)] = v;
      continue;
    }
    const value = shaped(GET_INFO_MEMBERS[member].shape, v);
    if (value === undefined) {
      info.problems.push(`${member} (0x${GET_INFO_MEMBERS[member].key.toString(16).padStart(2, '0')}) is not ${GET_INFO_MEMBERS[member].shape === 'aaguid' ? 'a 16-byte byte string' : `of shape ${GET_INFO_MEMBERS[member].shape}`}`);
      continue;
    }
    seen.add(member);
    (info as unknown as Record<string, unknown>)[member] = value;
  }
  // CTAP 2.1 §6.4: versions and aaguid are required
  for (const m of ['versions', 'aaguid'] as const) if (!seen.has(m)) info.problems.push(`${m} is required and missing`);
  if (seen.has('versions') && info.versions.length === 0) info.problems.push('versions is empty');
  info.aaguidText = formatAaguid(info.aaguid);
  return info;
}

/**
 * encIdentifier / encCredStoreState decrypted with the persistent pinUvAuthToken (CTAP 2.3 §6.4):
 * IV (16 bytes) then AES-128-CBC under HKDF-SHA-256(token, 32 zero bytes, the member's name, 16).
 * A member that is not 32 bytes is the key's defect (DEVICE_PROTOCOL).
 */
export function decryptInfoMember(persistentToken: Uint8Array, member: 'encIdentifier' | 'encCredStoreState', value: Uint8Array): Uint8Array {
  if (value.length !== 32) throw deviceError('DEVICE_PROTOCOL', `getInfo ${member} is ${value.length} bytes; CTAP 2.3 §6.4 makes it an IV and one AES block (32)`);
  const key = crypto.hkdfSync('sha256', persistentToken, new Uint8Array(32), member, 16);
  const d = crypto.createDecipheriv('aes-128-cbc', Buffer.from(key), value.subarray(0, 16));
  d.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(value.subarray(16)), d.final()]));
}

/** getInfo as MDS statements write it (authenticatorGetInfo in JSON: aaguid as 32 hex digits). */
export function getInfoToJson(info: AuthenticatorInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of Object.keys(GET_INFO_MEMBERS) as GetInfoMember[]) {
    const v = (info as unknown as Record<string, unknown>)[member];
    if (v === undefined) continue;
    if (member === 'aaguid') out.aaguid = Buffer.from(info.aaguid).toString('hex');
    else if (v instanceof Uint8Array) out[member] = Buffer.from(v).toString('base64url');
    else if (Array.isArray(v) && v.length === 0 && ['extensions', 'transports', 'algorithms', 'pinUvAuthProtocols'].includes(member)) continue;
    else if (member === 'options' && Object.keys(v as object).length === 0) continue;
    else out[member] = v;
  }
  return out;
}
