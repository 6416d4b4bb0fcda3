import crypto, { type X509Certificate } from 'node:crypto';
import type { ParsedRegistration } from '../webauthn/parseResponse.ts';
import type { AuthDataDefect } from '../webauthn/parseAuthenticatorData.ts';
import { checkCeremony, type CeremonyExpectations } from '../webauthn/checkCeremony.ts';
import { verdict } from '../findings/Finding.ts';
import { coseKeyToPublicKey, COSE_ALG_NAMES, type PublicKeyInfo } from '../webauthn/coseKey.ts';
import { coseAlgorithm, coseAlgorithmLabel } from '../webauthn/coseAlgorithms.ts';
import type { Finding } from '../findings/Finding.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';
import type { FormatInput, FormatResult } from './FormatVerifier.ts';
import { FORMAT_VERIFIERS, REGISTERED_FORMATS } from './formats/registry.ts';
import { verifyChain } from '../pki/verifyChain.ts';
import { builtinAnchors } from '../pki/TrustAnchors.ts';
import { entryRoots, type MetadataEntry } from '../mds/MetadataBlob.ts';
import { describeOrigin, type MetadataProvider } from '../mds/MetadataProvider.ts';
import { certificateKeyIdentifier } from '../pki/certificateKeyIdentifier.ts';
import { interpretStatus } from '../mds/interpretStatus.ts';

/** WebAuthn attestation type -> the MDS attestationTypes value that declares it (MDS 3.0 §4). */
const MDS_ATTESTATION_TYPE: Record<string, string> = { basic: 'basic_full', self: 'basic_surrogate', attca: 'attca', anonca: 'anonca', none: 'none' };
/**
 * What the authenticator did against what its metadata says: the status as of the
 * verification time (a compromise or revocation fails the registration), the attestation
 * type seen against attestationTypes, the credential algorithm against
 * authenticationAlgorithms (mismatches are the metadata's defect: warnings).
 */
function metadataConsistency(entry: MetadataEntry, type: string, key: PublicKeyInfo | undefined, at: Date, backupEligible: boolean | undefined): Finding[] {
  const out: Finding[] = [];
  const ms = entry.metadataStatement ?? {};
  const st = interpretStatus(entry, at);
  out.push(st.compromised
    ? { code: 'MDS_STATUS', status: 'fail', spec: 'FIDO MDS 3.0 §3.1.3; WebAuthn L3 §7.1 step 21', message: `MDS reports ${st.compromised.status} since ${st.compromised.effectiveDate ?? '?'}: this authenticator's attestation must not be trusted`, expected: 'no revocation or compromise', actual: st.compromised.status }
    : { code: 'MDS_STATUS', status: st.certified ? 'pass' : 'warn', spec: 'FIDO MDS 3.0 §3.1.3', message: st.certified ? `FIDO certified (${st.level}) as of the verification time` : `not FIDO certified as of the verification time (latest status ${st.decisive?.status ?? 'none'})` });
  const declaredTypes = ms.attestationTypes ?? [];
  const seen = MDS_ATTESTATION_TYPE[type];
  if (seen && declaredTypes.length) {
    const ok = declaredTypes.includes(seen);
    out.push({ code: 'MDS_ATTESTATION_TYPE', status: ok ? 'pass' : 'warn', spec: 'FIDO MDS 3.0 §4 (attestationTypes)', message: ok ? `attestation type ${seen} is one the metadata declares` : `attestation type ${seen} is not among the declared ${JSON.stringify(declaredTypes)}`, ...(ok ? {} : { expected: declaredTypes.join(' | '), actual: seen }) });
  }
  const declaredAlgs = ms.authenticationAlgorithms ?? [];
  if (key && declaredAlgs.length) {
    const names = coseAlgorithm(key.alg)?.mds ?? [];
    const ok = names.some((n) => declaredAlgs.includes(n));
    out.push({ code: 'MDS_ALGORITHM', status: ok ? 'pass' : 'warn', spec: 'FIDO MDS 3.0 §4 (authenticationAlgorithms)', message: ok ? `credential algorithm ${key.algName} is one the metadata declares` : `credential algorithm ${key.algName} is not among the declared ${JSON.stringify(declaredAlgs)}: the metadata is incomplete`, ...(ok ? {} : { expected: declaredAlgs.join(' | '), actual: names[0] ?? key.algName }) });
  }
  // MDS 3.1 multiDeviceCredentialSupport (absent: "unsupported") against the BE flag (WebAuthn L3 §6.1.3)
  if (backupEligible !== undefined) {
    const declared = ms.multiDeviceCredentialSupport ?? 'unsupported';
    const stated = ms.multiDeviceCredentialSupport === undefined ? 'unsupported (not stated, the MDS 3.1 default)' : declared;
    const ok = declared === 'explicit' || (declared === 'unsupported' ? !backupEligible : backupEligible);
    out.push({ code: 'MDS_MULTI_DEVICE', status: ok ? 'pass' : 'warn', spec: 'FIDO Metadata Statement 3.1 §4 (multiDeviceCredentialSupport); WebAuthn L3 §6.1.3 (BE)', message: ok ? `the credential's BE flag (${backupEligible ? 1 : 0}) agrees with multiDeviceCredentialSupport ${stated}` : `the credential is ${backupEligible ? 'backup eligible (BE=1): a multi-device credential' : 'device-bound (BE=0)'}, but the metadata says multiDeviceCredentialSupport ${stated}`, ...(ok ? {} : { expected: declared === 'unsupported' ? 'BE=0 (device-bound credentials)' : 'BE=1 (every credential multi-device)', actual: `BE=${backupEligible ? 1 : 0}` }) });
  }
  return out;
}

export interface AnalysisOptions extends Omit<CeremonyExpectations, 'ceremony' | 'requireUserVerification'> {
  requireUserVerification?: boolean;
  /** verification time: certificate validity, SafetyNet timestamp */
  at: Date;
  /** algorithms the RP offered; absent: not checked */
  allowedAlgorithms?: readonly number[];
  /** extra trust anchors (--roots) */
  roots?: X509Certificate[];
  /** metadata to look the authenticator up in (--mds, drafts, a run's snapshot) */
  mds?: MetadataProvider;
}

export interface RegistrationAnalysis {
  verified: boolean;
  findings: Finding[];
  fmt: string;
  attestationType: FormatResult['type'];
  aaguid: string;
  credentialKey?: PublicKeyInfo;
  trustAnchor?: string;
  /** trusted: chain reaches an anchor; untrusted: anchors known, none reached; unknown: no anchor to compare; n/a: self/none */
  trust: 'trusted' | 'untrusted' | 'unknown' | 'n/a';
  mdsEntry?: MetadataEntry;
  /** what the key's metadata declares (authenticatorGetInfo), for declared-vs-observed checks */
  declared?: DeclaredCapabilities;
}

export interface DeclaredCapabilities {
  versions: string[];
  extensions: string[];
  options: Record<string, boolean>;
  transports: string[];
  attestationTypes: string[];
  authenticationAlgorithms: string[];
}

export function declaredCapabilities(e: MetadataEntry): DeclaredCapabilities {
  const ms = e.metadataStatement ?? {};
  const gi = (ms.authenticatorGetInfo ?? {}) as { versions?: string[]; extensions?: string[]; options?: Record<string, boolean>; transports?: string[] };
  return {
    versions: gi.versions ?? [],
    extensions: gi.extensions ?? [],
    options: gi.options ?? {},
    transports: gi.transports ?? [],
    attestationTypes: ms.attestationTypes ?? [],
    authenticationAlgorithms: ms.authenticationAlgorithms ?? [],
  };
}

const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** The finding for authenticator data that does not parse: where, what belonged there, what came. */
export function authDataDefectFinding(d: AuthDataDefect): Finding {
  return { code: 'AUTHDATA_STRUCTURE', status: 'fail', spec: 'WebAuthn L3 §6.1, §6.5.1', message: `authenticator data does not parse at byte offset ${d.offset}: ${d.actual}`, expected: d.expected, actual: `${d.actual} (at byte ${d.offset})` };
}

/**
 * The whole judgement on one registration: WebAuthn L3 §7.1 steps 7-22, one finding per
 * step, never stopping at the first failure. Structural garbage was already refused by the
 * parser (HarnessError); everything here is about the authenticator's behaviour.
 */
export function analyzeRegistration(p: ParsedRegistration, o: AnalysisOptions): RegistrationAnalysis {
  // authenticator data that does not parse (lenient parsing): the key's defect, named first, and the rest judged as far as it goes
  const defect = p.authData.defect;
  const findings: Finding[] = defect ? [authDataDefectFinding(defect)] : [];
  findings.push(...checkCeremony(p.clientData, p.authData, { ...o, requireUserVerification: !!o.requireUserVerification, ceremony: 'create' }));
  if (p.nonCanonical.length) {
    findings.push({ code: 'CBOR_CANONICAL', status: 'warn', spec: 'CTAP 2.1 §8', message: `CBOR is not in CTAP2 canonical form: ${p.nonCanonical.slice(0, 3).join('; ')}` });
  }
  const acd = p.authData.attestedCredentialData;
  const aaguidBytes = acd?.aaguid ?? p.authData.aaguid;
  const aaguid = aaguidBytes ? formatAaguid(aaguidBytes) : ZERO_AAGUID;
  let credentialKey: PublicKeyInfo | undefined;
  /** the credential key's alg label, also when the harness cannot verify under it */
  let keyAlg: number | undefined;
  let keyUnverifiable: string | undefined;
  if (!acd) {
    findings.push({ code: 'CREDENTIAL_PUBLIC_KEY', status: 'skip', spec: 'WebAuthn L3 §6.5.1.1', message: 'not judged: the authenticator data ends before the credential public key (see AUTHDATA_STRUCTURE)' });
  } else {
    const label = acd.publicKey.get(3);
    if (typeof label === 'number') keyAlg = label;
    try {
      credentialKey = coseKeyToPublicKey(acd.publicKey);
      findings.push({ code: 'CREDENTIAL_PUBLIC_KEY', status: 'pass', spec: 'WebAuthn L3 §6.5.1.1', message: `credential public key is a valid ${credentialKey.kty} ${coseAlgorithmLabel(credentialKey.alg)} key${credentialKey.crv ? ` on ${credentialKey.crv}` : ''}` });
    } catch (e) {
      if (!(e instanceof HarnessError)) throw e;
      // a registered algorithm the harness cannot verify is not the key's defect: a skip naming it
      if (e.code === 'UNSUPPORTED_ALGORITHM') keyUnverifiable = e.message;
      findings.push({ code: 'CREDENTIAL_PUBLIC_KEY', status: e.code === 'UNSUPPORTED_ALGORITHM' ? 'skip' : 'fail', spec: 'WebAuthn L3 §6.5.1.1', message: e.message });
    }
  }
  if (keyAlg !== undefined && o.allowedAlgorithms) {
    findings.push(verdict('ALG_ALLOWED', o.allowedAlgorithms.includes(keyAlg), 'WebAuthn L3 §7.1 step 18', 'credential algorithm is one the RP offered in pubKeyCredParams', o.allowedAlgorithms.map((a) => COSE_ALG_NAMES[a] ?? a).join(', '), coseAlgorithmLabel(keyAlg)));
  }
  const clientDataHash = new Uint8Array(crypto.createHash('sha256').update(p.clientDataJSON).digest());
  const input: FormatInput = { attStmt: p.attStmt, authData: p.authData, clientDataHash, credentialKey, credentialKeyUnverifiable: keyUnverifiable, at: o.at };
  const verifier = FORMAT_VERIFIERS[p.fmt];
  let result: FormatResult;
  if (verifier) {
    findings.push({ code: 'ATT_FORMAT', status: 'pass', spec: 'WebAuthn L3 §7.1 step 19', message: `attestation format "${p.fmt}" is a registered WebAuthn format` });
    result = verifier(input);
  } else {
    // WebAuthn L3 §7.1 steps 19-20: the statement is verified with its format's procedure; a
    // format with none cannot be verified, whatever its statement holds (renaming fmt must not
    // turn a statement into a pass). Entra's acceptance of custom formats when attestation is not
    // enforced is its own check (ATT_FORMAT_ACCEPTED_UNENFORCED), not this verdict.
    const name = p.fmt.length > 0 && p.fmt.length <= 32 && /^[\x21-\x7e]+$/.test(p.fmt);
    findings.push({ code: 'ATT_FORMAT', status: 'fail', spec: 'WebAuthn L3 §7.1 steps 19-20; §8 (registered formats); IANA WebAuthn Attestation Statement Format Identifiers', message: `attestation format ${JSON.stringify(p.fmt.slice(0, 64))} (${p.fmt.length} characters) is not a registered WebAuthn format: no verification procedure exists for it, so the statement is not verified${name ? '' : '; a format identifier is also at most 32 printable ASCII characters (§8.1)'}`, expected: REGISTERED_FORMATS.join(' | '), actual: p.fmt.slice(0, 64) });
    result = { findings: [], type: 'uncertain', trustPath: [] };
  }
  findings.push(...result.findings);
  // metadata: by AAGUID, or for AAGUID-less (U2F) keys by the attestation key identifier
  let mdsEntry: MetadataEntry | undefined;
  if (o.mds) {
    const leaf = result.trustPath[0];
    mdsEntry = aaguid !== ZERO_AAGUID ? o.mds.byAaguid(aaguid) : undefined;
    if (!mdsEntry && leaf) mdsEntry = o.mds.byKeyIdentifier(certificateKeyIdentifier(leaf.x509));
    findings.push({
      code: 'MDS_ENTRY',
      status: mdsEntry ? 'pass' : result.type === 'none' || result.type === 'self' ? 'skip' : 'warn',
      spec: 'FIDO MDS 3.0 §3.1.1',
      message: mdsEntry ? `${describeOrigin(o.mds.originOf(mdsEntry))} this authenticator: "${mdsEntry.metadataStatement?.description ?? '?'}"` : `${o.mds.description} has no entry for AAGUID ${aaguid}${leaf ? ' or this attestation key' : ''}`,
    });
  }
  if (mdsEntry) findings.push(...metadataConsistency(mdsEntry, result.type, credentialKey, o.at, p.authData.flags?.BE));
  let trustAnchor: string | undefined;
  let trust: RegistrationAnalysis['trust'] = 'n/a';
  if (result.trustPath.length) {
    const anchors = [...(result.anchorSet ? builtinAnchors(result.anchorSet) : []), ...entryRoots(mdsEntry), ...(o.roots ?? [])];
    const chain = verifyChain(result.trustPath, anchors, { at: o.at });
    findings.push(...chain.findings);
    trustAnchor = chain.anchor?.subject?.replace(/\n/g, ', ');
    trust = chain.trusted ? 'trusted' : anchors.length ? 'untrusted' : 'unknown';
  } else if (result.type === 'uncertain') {
    trust = 'unknown';
  }
  return { verified: findings.every((f) => f.status !== 'fail'), findings, fmt: p.fmt, attestationType: result.type, aaguid, credentialKey, trustAnchor, trust, mdsEntry, declared: mdsEntry ? declaredCapabilities(mdsEntry) : undefined };
}
