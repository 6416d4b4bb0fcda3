import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { AttestationCa } from './AttestationCa.ts';
import { SoftAuthenticator, type SoftAuthenticatorOptions, type SoftFaults, type SoftFeatures } from './SoftAuthenticator.ts';
import { FEATURE_SPECS, SOFT_FAULT_NAMES, SOFT_FEATURE_NAMES } from './SoftDevice.ts';
import { closestWord } from '../encoding/closestWord.ts';
import type { HidServerOptions } from '../ctap/hid/CtapHidServer.ts';
import { compliantEntry } from '../mds/TestMdsSigner.ts';
import type { MetadataEntry } from '../mds/MetadataBlob.ts';
import { certificatesFromPem } from '../pki/TrustAnchors.ts';
import { AAGUID_TEXT } from '../encoding/formatAaguid.ts';
import { REACTION_MS, personTouchingAfter } from './softPerson.ts';
import { SOFT_ALGORITHMS } from './softAttestation.ts';
import { COSE_ALGORITHMS, coseAlgorithm } from '../webauthn/coseAlgorithms.ts';

/**
 * An emulation profile: the identity and behaviour of the key model a vendor wants to test
 * before hardware exists. Attestation is generated (a test CA following §8.2.1) or supplied
 * as PEM files; the MDS entry is generated from the profile or read from a statement file.
 * Paths are relative to the profile file.
 */
export interface EmulationProfile {
  description: string;
  aaguid: string;
  features?: SoftFeatures;
  faults?: SoftFaults;
  /** how the built-in user verification works, for the generated statement (MDS userVerificationMethod; default fingerprint_internal) */
  uvMethod?: (typeof UV_METHODS)[number];
  attestation?: { generate: true } | { certificateChain: string[]; privateKey: string; root: string };
  /**
   * enterprise attestation (CTAP 2.1 §7.1): a device-unique certificate (generated under the
   * profile's attestation root) given to these RP IDs when an RP asks for it (vendor-facilitated;
   * platform-managed requests get it for any RP); `enabled: false` ships it disabled (getInfo ep
   * false until authenticatorConfig enables it)
   */
  enterpriseAttestation?: { rpIds: string[]; enabled?: boolean };
  metadata?: 'generate' | { statement: string; statusReports?: MetadataEntry['statusReports'] };
  /**
   * the COSE algorithms the key creates credentials with, in its order of preference: names
   * ("ES256", "Ed448", "PS384") or identifiers (-7, -53, -38); default ES256, EdDSA, RS256.
   * Any algorithm the harness verifies (the fully-specified ones of RFC 9864 too).
   */
  algorithms?: (string | number)[];
}


const PROFILE_MEMBERS = ['description', 'aaguid', 'features', 'faults', 'attestation', 'enterpriseAttestation', 'metadata', 'uvMethod', 'algorithms', '$schema', 'comment'] as const;
export const UV_METHODS = ['fingerprint_internal', 'passcode_internal', 'faceprint_internal', 'voiceprint_internal', 'eyeprint_internal', 'handprint_internal', 'pattern_internal', 'location_internal'] as const;

/** Members a profile does not know are refused with the closest one: a typo ("hmacsecret") must not silently turn a feature off. */
function refuseUnknown(o: unknown, known: readonly string[], where: string): void {
  if (o === undefined) return;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new HarnessError('BAD_PROFILE', `${where} must be a JSON object`);
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const near = closestWord(k, known);
    throw new HarnessError('BAD_PROFILE', `${where === 'the profile' ? 'the profile has' : `${where} has`} no member ${JSON.stringify(k)}${near ? `: did you mean "${near}"?` : ''} (known: ${known.join(', ')})`);
  }
}

/** The statement's userVerificationDetails for what the key can do: Bio only for a biometric. */
function uvDetails(f: SoftFeatures, method: string): { userVerificationMethod: string }[][] {
  const out: { userVerificationMethod: string }[][] = [];
  if (f.uv) out.push([{ userVerificationMethod: method }]);
  if (f.clientPin !== false) out.push([{ userVerificationMethod: 'passcode_external' }]);
  return out.length ? out : [[{ userVerificationMethod: 'presence_internal' }]];
}

export interface LoadedProfile {
  profile: EmulationProfile;
  key: SoftAuthenticator;
  entry: MetadataEntry;
  rootPem: string;
  /** the attestation key and chain the key signs with, and its enterprise attestation material (kept by softkey --state) */
  attestation: { key: crypto.KeyObject; x5c: Uint8Array[]; enterprise?: { key: crypto.KeyObject; x5c: Uint8Array[] } };
}

export interface LoadProfileOptions {
  /** the CTAPHID layer of the key (how the person touches it: by default REACTION_MS after it asks) */
  hid?: HidServerOptions;
  /** attestation material to use instead of generating it (a key restored from --state) */
  attestation?: { key: crypto.KeyObject; x5c: Uint8Array[]; rootPem: string; enterprise?: { key: crypto.KeyObject; x5c: Uint8Array[] } };
  /** the reset window instead of the profile's (softkey --reset-window) */
  resetWindowMs?: number;
}

/** A profile's algorithms (names or COSE identifiers) as identifiers the software key implements. */
function profileAlgorithms(v: unknown): number[] {
  const known = COSE_ALGORITHMS.filter((a) => SOFT_ALGORITHMS.includes(a.id));
  if (!Array.isArray(v) || !v.length) throw new HarnessError('BAD_PROFILE', `algorithms must be a non-empty array of COSE algorithm names or identifiers (${known.map((a) => a.name).join(', ')})`);
  return v.map((x) => {
    const a = known.find((k) => k.id === x || k.name === x);
    if (a) return a.id;
    const near = typeof x === 'string' ? closestWord(x, known.map((k) => k.name)) : undefined;
    throw new HarnessError('BAD_PROFILE', `algorithms: ${JSON.stringify(x)} is not an algorithm the software key implements${near ? `: did you mean "${near}"?` : ''} (known: ${known.map((k) => `${k.name} ${k.id}`).join(', ')})`);
  });
}

export async function loadProfile(file: string, o: LoadProfileOptions = {}): Promise<LoadedProfile> {
  const read = (p: string, what: string) => {
    try {
      return fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8');
    } catch (e) {
      throw new HarnessError('BAD_PROFILE', `${what} ${p} (relative to ${file}) cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  let profile: EmulationProfile;
  try {
    profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HarnessError('BAD_PROFILE', code ? `cannot read profile ${file}: ${code}` : `profile ${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new HarnessError('BAD_PROFILE', 'a profile is a JSON object');
  refuseUnknown(profile, PROFILE_MEMBERS, 'the profile');
  refuseUnknown(profile.features, SOFT_FEATURE_NAMES, 'features');
  refuseUnknown(profile.faults, SOFT_FAULT_NAMES, 'faults');
  for (const [k, v] of Object.entries(profile.faults ?? {})) if (typeof v !== 'boolean') throw new HarnessError('BAD_PROFILE', `faults.${k} must be true or false, got ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(profile.features ?? {})) {
    const bad = FEATURE_SPECS[k as keyof typeof FEATURE_SPECS].check(v);
    if (bad) throw new HarnessError('BAD_PROFILE', `features.${k} must be ${bad}, got ${JSON.stringify(v)}`);
  }
  if (profile.uvMethod !== undefined && !UV_METHODS.includes(profile.uvMethod)) throw new HarnessError('BAD_PROFILE', `uvMethod must be one of ${UV_METHODS.join(', ')}, not ${JSON.stringify(profile.uvMethod)}`);
  if (typeof profile.aaguid !== 'string' || !AAGUID_TEXT.test(profile.aaguid)) throw new HarnessError('BAD_PROFILE', `profile aaguid must be a lowercase 8-4-4-4-12 UUID, got ${JSON.stringify(profile.aaguid)}`);
  if (typeof profile.description !== 'string' || !profile.description) throw new HarnessError('BAD_PROFILE', 'profile description must be a non-empty string');
  const algorithms = profile.algorithms === undefined ? undefined : profileAlgorithms(profile.algorithms);
  const ea = profile.enterpriseAttestation;
  if (ea !== undefined) {
    refuseUnknown(ea, ['rpIds', 'enabled'], 'enterpriseAttestation');
    if (!Array.isArray(ea.rpIds) || !ea.rpIds.every((r) => typeof r === 'string')) throw new HarnessError('BAD_PROFILE', 'enterpriseAttestation.rpIds must be an array of RP IDs');
    if (ea.enabled !== undefined && typeof ea.enabled !== 'boolean') throw new HarnessError('BAD_PROFILE', 'enterpriseAttestation.enabled must be true or false');
  }
  let attestationKey: crypto.KeyObject;
  let caForEnterprise: AttestationCa | undefined;
  let x5c: Uint8Array[];
  let rootPem: string;
  const att = profile.attestation ?? { generate: true };
  if (o.attestation) {
    attestationKey = o.attestation.key;
    x5c = o.attestation.x5c;
    rootPem = o.attestation.rootPem;
  } else if ('certificateChain' in att) {
    const chain = att.certificateChain.flatMap((p) => certificatesFromPem(read(p, 'certificate')));
    if (!chain.length) throw new HarnessError('BAD_PROFILE', 'attestation.certificateChain holds no PEM certificate');
    x5c = chain.map((c) => new Uint8Array(c.raw));
    try {
      attestationKey = crypto.createPrivateKey(read(att.privateKey, 'private key'));
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw new HarnessError('BAD_PROFILE', `attestation.privateKey is not a PEM private key: ${(e as Error).message}`);
    }
    if (!chain[0]!.checkPrivateKey(attestationKey)) throw new HarnessError('BAD_PROFILE', 'attestation.privateKey does not belong to the first certificate of certificateChain');
    rootPem = read(att.root, 'root certificate');
    if (!certificatesFromPem(rootPem).length) throw new HarnessError('BAD_PROFILE', `attestation.root ${att.root} holds no PEM certificate`);
  } else {
    const ca = await AttestationCa.create(`CN=${profile.description.replace(/[,=+<>#;"\\]/g, ' ')} Test Attestation Root, O=fido2-harness emulation, C=US`);
    caForEnterprise = ca;
    const leaf = await ca.issueLeaf({ aaguid: profile.aaguid, subject: `C=US, O=fido2-harness emulation, OU=Authenticator Attestation, CN=${profile.description.replace(/[,=+<>#;"\\]/g, ' ')}` });
    attestationKey = leaf.privateKey;
    x5c = [leaf.der];
    rootPem = ca.rootPem;
  }
  const f: SoftFeatures = { rk: true, uv: true, hmacSecret: false, credProtect: false, credBlob: false, transports: ['usb'], ...profile.features, ...(o.resetWindowMs !== undefined ? { resetWindowMs: o.resetWindowMs } : {}) };
  // a profile's "uv: false" without a clientPin means no user verification of any kind;
  // "clientPin": null is a client PIN the key supports with no PIN set yet
  if ((f.clientPin as unknown) === null) delete f.clientPin;
  else if (f.uv === false && f.clientPin === undefined) f.clientPin = false;
  let enterprise: SoftAuthenticatorOptions['enterprise'];
  if (ea && o.attestation?.enterprise) {
    enterprise = { rpIds: ea.rpIds, ...o.attestation.enterprise, enabled: ea.enabled };
  } else if (ea) {
    if (!caForEnterprise) throw new HarnessError('BAD_PROFILE', 'enterpriseAttestation needs a generated attestation ("attestation": {"generate": true}): the device-unique certificate is issued under its root');
    const serialNo = crypto.createHash('sha256').update(profile.aaguid).digest('hex').slice(0, 8).toUpperCase();
    const leaf = await caForEnterprise.issueLeaf({ aaguid: profile.aaguid, subject: `C=US, O=fido2-harness emulation, OU=Authenticator Attestation, CN=${profile.description.replace(/[,=+<>#;"\\]/g, ' ')} Device SN ${serialNo}` });
    enterprise = { rpIds: ea.rpIds, key: leaf.privateKey, x5c: [leaf.der], enabled: ea.enabled };
  }
  const key = new SoftAuthenticator({ aaguid: Buffer.from(profile.aaguid.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey, x5c, enterprise, features: f, faults: profile.faults, algorithms, hid: { ...o.hid, presence: o.hid?.presence ?? personTouchingAfter(REACTION_MS) } });
  const entry = compliantEntry(profile.aaguid, rootPem, profile.description);
  entry.generatedFrom = path.basename(file);
  entry.metadataStatement!.userVerificationDetails = uvDetails(f, profile.uvMethod ?? 'fingerprint_internal');
  // the generated statement carries the key's own getInfo, as a vendor copies it into the
  // statement (without the getInfo faults: those are the key lying, not the statement)
  entry.metadataStatement!.authenticatorGetInfo = key.device.honestGetInfoJson();
  entry.metadataStatement!.authenticationAlgorithms = [...new Set(key.device.algorithms.flatMap((a) => coseAlgorithm(a)?.mds?.slice(0, 1) ?? []))];
  if (profile.metadata && profile.metadata !== 'generate') {
    let statement: Record<string, unknown>;
    try {
      statement = JSON.parse(read(profile.metadata.statement, 'metadata statement'));
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw new HarnessError('BAD_PROFILE', `metadata.statement is not JSON: ${(e as Error).message}`);
    }
    entry.metadataStatement = statement as MetadataEntry['metadataStatement'];
    entry.generatedFrom = undefined;
    entry.draftFrom = profile.metadata.statement;
    if (profile.metadata.statusReports) entry.statusReports = profile.metadata.statusReports;
  }
  return { profile, key, entry, rootPem, attestation: { key: attestationKey, x5c, enterprise: enterprise && { key: enterprise.key, x5c: enterprise.x5c } } };
}
