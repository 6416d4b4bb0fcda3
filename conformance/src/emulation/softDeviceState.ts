import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { fromBase64url, toBase64url } from '../encoding/base64url.ts';
import type { SoftCredential, SoftDevice } from './SoftDevice.ts';

/**
 * A software key's state on disk (`softkey --state FILE`): its credentials and PIN state, and
 * the attestation material it was given, so a restarted key is the same key. Written whole,
 * to a temporary file renamed over the old one: a crash leaves the old state or the new one.
 */
export interface StoredDeviceState {
  version: 1;
  aaguid: string;
  credentials: Record<string, unknown>[];
  pin?: { hash: string; retries: number };
  counter: number;
  largeBlobArray: string;
  attestation?: { key: string; x5c: string[]; rootPem: string };
}

const b = (u: Uint8Array | undefined) => (u ? toBase64url(u) : undefined);
const u = (s: unknown, what: string) => (typeof s === 'string' ? fromBase64url(s, what) : undefined);

export function credentialToJson(c: SoftCredential): Record<string, unknown> {
  return {
    id: b(c.id), alg: c.alg, privateKey: c.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'), publicKeyCose: b(c.publicKeyCose),
    rpId: c.rpId, rpIdHash: b(c.rpIdHash), rpName: c.rpName, userHandle: b(c.userHandle), userName: c.userName, userDisplayName: c.userDisplayName,
    signCount: c.signCount, discoverable: c.discoverable, credRandomWithUv: b(c.credRandomWithUv), credRandomWithoutUv: b(c.credRandomWithoutUv),
    credProtect: c.credProtect, credBlob: b(c.credBlob), largeBlobKey: b(c.largeBlobKey), u2f: c.u2f, created: c.created,
  };
}

export function credentialFromJson(j: Record<string, any>): SoftCredential {
  return {
    id: u(j.id, 'id')!, alg: Number(j.alg), privateKey: crypto.createPrivateKey({ key: Buffer.from(j.privateKey, 'base64url'), format: 'der', type: 'pkcs8' }), publicKeyCose: u(j.publicKeyCose, 'publicKeyCose')!,
    rpId: j.rpId, rpIdHash: u(j.rpIdHash, 'rpIdHash')!, rpName: j.rpName, userHandle: u(j.userHandle, 'userHandle') ?? new Uint8Array(), userName: j.userName, userDisplayName: j.userDisplayName,
    signCount: Number(j.signCount), discoverable: !!j.discoverable, credRandomWithUv: u(j.credRandomWithUv, 'credRandomWithUv'), credRandomWithoutUv: u(j.credRandomWithoutUv, 'credRandomWithoutUv'),
    credProtect: Number(j.credProtect ?? 1), credBlob: u(j.credBlob, 'credBlob'), largeBlobKey: u(j.largeBlobKey, 'largeBlobKey'), u2f: !!j.u2f, created: Number(j.created ?? 0),
  };
}

export function readDeviceState(file: string): StoredDeviceState | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredDeviceState;
    if (s.version !== 1 || !Array.isArray(s.credentials)) throw new Error('not a fido2-harness software key state (version 1)');
    return s;
  } catch (e) {
    throw new HarnessError('BAD_INPUT', `--state ${file} cannot be read: ${(e as Error).message} (move it away to start with an empty key)`);
  }
}

export function writeDeviceState(file: string, s: StoredDeviceState): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Copies a key's state into a stored form (SoftDevice exposes what it keeps through these two). */
export function snapshotDevice(d: SoftDevice, extra: Pick<StoredDeviceState, 'attestation'>): StoredDeviceState {
  const inner = d.exportInternals();
  return { version: 1, aaguid: Buffer.from(d.aaguid).toString('hex'), credentials: [...d.credentials.values()].map(credentialToJson), pin: inner.pin, counter: inner.counter, largeBlobArray: toBase64url(inner.largeBlobArray), ...extra };
}

export function restoreDevice(d: SoftDevice, s: StoredDeviceState): void {
  d.credentials.clear();
  for (const j of s.credentials) {
    const c = credentialFromJson(j as Record<string, any>);
    d.credentials.set(toBase64url(c.id), c);
  }
  d.importInternals({ pin: s.pin, counter: s.counter, largeBlobArray: fromBase64url(s.largeBlobArray, 'largeBlobArray') });
}
