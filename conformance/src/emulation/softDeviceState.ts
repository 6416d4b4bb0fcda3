import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import type { DeviceInternals, SoftCredential, SoftDevice } from './SoftDevice.ts';

/**
 * A software key's state on disk (`softkey --state FILE`): its credentials and PIN state, and
 * the attestation material it was given, so a restarted key is the same key. Written whole,
 * to a temporary file renamed over the old one: a crash leaves the old state or the new one.
 */
export interface StoredDeviceState {
  version: 1;
  aaguid: string;
  credentials: Record<string, unknown>[];
  pin?: { hash: string; retries: number; codePoints?: number };
  counter: number;
  largeBlobArray: string;
  attestation?: { key: string; x5c: string[]; rootPem: string; enterprise?: { key: string; x5c: string[] } };
  /** what authenticatorConfig, bio enrollment and the persistent token changed (CTAP 2.3; absent in older files) */
  config?: {
    minPinLength: number;
    minPinLengthRpIds: string[];
    forcePinChange: boolean;
    pinComplexity: boolean;
    alwaysUv: boolean;
    epEnabled: boolean;
    longTouchForReset: boolean;
    templates: { id: string; name?: string }[];
    uvRetries: number;
    credStoreState: string;
    deviceIdentifier: string;
    persistentToken: { value: string; permissions: number };
  };
}

const b = (u: Uint8Array | undefined) => (u ? toBase64url(u) : undefined);
const u = (s: unknown, what: string) => (typeof s === 'string' ? fromBase64url(s, what) : undefined);

export function credentialToJson(c: SoftCredential): Record<string, unknown> {
  return {
    id: b(c.id), alg: c.alg, privateKey: c.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'), publicKeyCose: b(c.publicKeyCose),
    rpId: c.rpId, rpIdHash: b(c.rpIdHash), rpName: c.rpName, userHandle: b(c.userHandle), userName: c.userName, userDisplayName: c.userDisplayName,
    signCount: c.signCount, discoverable: c.discoverable, credRandomWithUv: b(c.credRandomWithUv), credRandomWithoutUv: b(c.credRandomWithoutUv),
    credProtect: c.credProtect, credBlob: b(c.credBlob), largeBlobKey: b(c.largeBlobKey), u2f: c.u2f, created: c.created,
    largeBlob: c.largeBlob ? { data: b(c.largeBlob.data), originalSize: c.largeBlob.originalSize } : undefined, thirdPartyPayment: c.thirdPartyPayment,
  };
}

export function credentialFromJson(j: Record<string, any>): SoftCredential {
  return {
    id: u(j.id, 'id')!, alg: Number(j.alg), privateKey: crypto.createPrivateKey({ key: Buffer.from(j.privateKey, 'base64url'), format: 'der', type: 'pkcs8' }), publicKeyCose: u(j.publicKeyCose, 'publicKeyCose')!,
    rpId: j.rpId, rpIdHash: u(j.rpIdHash, 'rpIdHash')!, rpName: j.rpName, userHandle: u(j.userHandle, 'userHandle') ?? new Uint8Array(), userName: j.userName, userDisplayName: j.userDisplayName,
    signCount: Number(j.signCount), discoverable: !!j.discoverable, credRandomWithUv: u(j.credRandomWithUv, 'credRandomWithUv'), credRandomWithoutUv: u(j.credRandomWithoutUv, 'credRandomWithoutUv'),
    credProtect: Number(j.credProtect ?? 1), credBlob: u(j.credBlob, 'credBlob'), largeBlobKey: u(j.largeBlobKey, 'largeBlobKey'), u2f: !!j.u2f, created: Number(j.created ?? 0),
    largeBlob: j.largeBlob ? { data: u(j.largeBlob.data, 'largeBlob.data')!, originalSize: Number(j.largeBlob.originalSize) } : undefined, thirdPartyPayment: j.thirdPartyPayment === true ? true : undefined,
  };
}

/** The most a state file may weigh (a key holds at most some thousand credentials). */
const MAX_STATE_BYTES = 64 * 1024 * 1024;

/**
 * Reads and checks a state file member by member: a file that is not JSON, or whose members are
 * of the wrong type or do not decode (a private key that is not PKCS#8 DER, a PIN hash that is
 * not 16 bytes of hex), is refused naming the member, before anything of it reaches the key.
 */
export function readDeviceState(file: string): StoredDeviceState | undefined {
  if (!fs.existsSync(file)) return undefined;
  const fail = (why: string): never => {
    throw new HarnessError('BAD_INPUT', `--state ${file} cannot be used: ${why} (move it away to start with an empty key)`);
  };
  let s: StoredDeviceState;
  try {
    if (fs.statSync(file).size > MAX_STATE_BYTES) fail(`it is over ${MAX_STATE_BYTES / 1024 / 1024} MB`);
    s = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredDeviceState;
  } catch (e) {
    if (e instanceof HarnessError) throw e;
    return fail((e as Error).message);
  }
  const problem = checkDeviceState(s);
  if (problem) fail(problem);
  return s;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isB64 = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]*$/.test(v);
const isInt = (v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** What is wrong with a state document, naming the member; undefined when it can be restored. */
export function checkDeviceState(s: unknown): string | undefined {
  if (!isObj(s) || s.version !== 1) return 'it is not a fido2-harness software key state (version 1)';
  if (typeof s.aaguid !== 'string' || !/^[0-9a-f]{32}$/.test(s.aaguid)) return 'aaguid must be 32 lowercase hex digits';
  if (!Array.isArray(s.credentials)) return 'credentials must be an array';
  for (const [i, c] of s.credentials.entries()) {
    const at = `credentials[${i}]`;
    if (!isObj(c)) return `${at} must be an object`;
    for (const m of ['id', 'privateKey', 'publicKeyCose', 'rpIdHash']) if (!isB64(c[m]) || !(c[m] as string).length) return `${at}.${m} must be base64url`;
    for (const m of ['userHandle', 'credRandomWithUv', 'credRandomWithoutUv', 'credBlob', 'largeBlobKey']) if (c[m] !== undefined && !isB64(c[m])) return `${at}.${m} must be base64url`;
    if (fromBase64url(c.rpIdHash as string, 'rpIdHash').length !== 32) return `${at}.rpIdHash must be 32 bytes`;
    if (!isInt(c.alg, -65536, 65535)) return `${at}.alg must be a COSE algorithm number`;
    if (!isInt(c.signCount, 0, 0xffffffff)) return `${at}.signCount must be an integer 0-2^32-1`;
    if (c.credProtect !== undefined && !isInt(c.credProtect, 1, 3)) return `${at}.credProtect must be 1, 2 or 3`;
    if (c.rpId !== undefined && typeof c.rpId !== 'string') return `${at}.rpId must be text`;
    for (const m of ['rpName', 'userName', 'userDisplayName']) if (c[m] !== undefined && typeof c[m] !== 'string') return `${at}.${m} must be text`;
    try {
      crypto.createPrivateKey({ key: Buffer.from(c.privateKey as string, 'base64url'), format: 'der', type: 'pkcs8' });
    } catch {
      return `${at}.privateKey is not a PKCS#8 DER private key`;
    }
  }
  if (s.pin !== undefined) {
    if (!isObj(s.pin) || typeof s.pin.hash !== 'string' || !/^[0-9a-f]{32}$/.test(s.pin.hash)) return 'pin.hash must be 16 bytes of hex (LEFT(SHA-256(PIN), 16))';
    if (!isInt(s.pin.retries, 0, 8)) return 'pin.retries must be an integer 0-8';
    if (s.pin.codePoints !== undefined && !isInt(s.pin.codePoints, 4, 63)) return 'pin.codePoints must be 4-63';
  }
  if (!isInt(s.counter, 0, 0xffffffff)) return 'counter must be an integer 0-2^32-1';
  if (!isB64(s.largeBlobArray) || fromBase64url(s.largeBlobArray as string, 'largeBlobArray').length < 17) return 'largeBlobArray must be base64url of at least 17 bytes';
  if (s.attestation !== undefined) {
    const a = s.attestation;
    if (!isObj(a) || !isB64(a.key) || !Array.isArray(a.x5c) || !a.x5c.every(isB64) || typeof a.rootPem !== 'string') return 'attestation must be {key, x5c[], rootPem}';
    if (a.enterprise !== undefined && (!isObj(a.enterprise) || !isB64(a.enterprise.key) || !Array.isArray(a.enterprise.x5c) || !a.enterprise.x5c.every(isB64))) return 'attestation.enterprise must be {key, x5c[]}';
    try {
      crypto.createPrivateKey({ key: Buffer.from(a.key as string, 'base64url'), format: 'der', type: 'pkcs8' });
    } catch {
      return 'attestation.key is not a PKCS#8 DER private key';
    }
    for (const [i, c] of (a.x5c as string[]).entries()) {
      try {
        new crypto.X509Certificate(Buffer.from(c, 'base64url'));
      } catch {
        return `attestation.x5c[${i}] is not a DER certificate`;
      }
    }
  }
  if (s.config !== undefined) {
    const c = s.config;
    if (!isObj(c)) return 'config must be an object';
    if (!isInt(c.minPinLength, 4, 63)) return 'config.minPinLength must be 4-63';
    if (!Array.isArray(c.minPinLengthRpIds) || !c.minPinLengthRpIds.every((x) => typeof x === 'string')) return 'config.minPinLengthRpIds must be an array of text';
    for (const m of ['forcePinChange', 'pinComplexity', 'alwaysUv', 'epEnabled', 'longTouchForReset']) if (typeof c[m] !== 'boolean') return `config.${m} must be true or false`;
    if (!Array.isArray(c.templates) || !c.templates.every((t) => isObj(t) && isB64(t.id) && (t.name === undefined || typeof t.name === 'string'))) return 'config.templates must be [{id, name}]';
    if (!isInt(c.uvRetries, 0, 8)) return 'config.uvRetries must be 0-8';
    for (const m of ['credStoreState', 'deviceIdentifier']) if (!isB64(c[m]) || fromBase64url(c[m] as string, m).length !== 16) return `config.${m} must be 16 bytes of base64url`;
    const t = c.persistentToken;
    if (!isObj(t) || !isB64(t.value) || fromBase64url(t.value as string, 'persistentToken').length !== 32 || !isInt(t.permissions, 0, 0xff)) return 'config.persistentToken must be {value: 32 bytes, permissions}';
  }
  return undefined;
}

export function writeDeviceState(file: string, s: StoredDeviceState): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Copies a key's state into a stored form (SoftDevice exposes what it keeps through these two). */
export function snapshotDevice(d: SoftDevice, extra: Pick<StoredDeviceState, 'attestation'>): StoredDeviceState {
  const i = d.exportInternals();
  return {
    version: 1, aaguid: Buffer.from(d.aaguid).toString('hex'), credentials: [...d.credentials.values()].map(credentialToJson), pin: i.pin, counter: i.counter, largeBlobArray: toBase64url(i.largeBlobArray),
    config: {
      minPinLength: i.minPinLength!, minPinLengthRpIds: i.minPinLengthRpIds!, forcePinChange: i.forcePinChange!, pinComplexity: i.pinComplexity!, alwaysUv: i.alwaysUv!, epEnabled: i.epEnabled!, longTouchForReset: i.longTouchForReset!,
      templates: i.templates!.map((t) => ({ id: toBase64url(t.id), name: t.name })), uvRetries: i.uvRetries!, credStoreState: toBase64url(i.credStoreState!), deviceIdentifier: toBase64url(i.deviceIdentifier!),
      persistentToken: { value: toBase64url(i.persistentToken!.value), permissions: i.persistentToken!.permissions },
    },
    ...extra,
  };
}

export function restoreDevice(d: SoftDevice, s: StoredDeviceState): void {
  d.credentials.clear();
  for (const j of s.credentials) {
    const c = credentialFromJson(j as Record<string, any>);
    d.credentials.set(toBase64url(c.id), c);
  }
  const c = s.config;
  const i: DeviceInternals = { pin: s.pin, counter: s.counter, largeBlobArray: fromBase64url(s.largeBlobArray, 'largeBlobArray') };
  if (c) {
    Object.assign(i, {
      minPinLength: c.minPinLength, minPinLengthRpIds: c.minPinLengthRpIds, forcePinChange: c.forcePinChange, pinComplexity: c.pinComplexity, alwaysUv: c.alwaysUv, epEnabled: c.epEnabled, longTouchForReset: c.longTouchForReset,
      templates: c.templates.map((t) => ({ id: fromBase64url(t.id, 'config.templates[].id'), name: t.name })), uvRetries: c.uvRetries, credStoreState: fromBase64url(c.credStoreState, 'config.credStoreState'), deviceIdentifier: fromBase64url(c.deviceIdentifier, 'config.deviceIdentifier'),
      persistentToken: { value: fromBase64url(c.persistentToken.value, 'config.persistentToken.value'), permissions: c.persistentToken.permissions },
    });
  }
  d.importInternals(i);
}
