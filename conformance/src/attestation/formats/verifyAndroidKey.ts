import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict } from '../../findings/Finding.ts';
import type { Finding } from '../../findings/Finding.ts';
import { readTlv, children, contents, decodeInteger, type Tlv } from '../../asn1/der.ts';
import { OID } from '../../pki/parseCertificate.ts';
import { signedData, signatureVerdict } from './signedData.ts';

const SPEC = 'WebAuthn L3 §8.4';
// Android KeyMint AuthorizationList tags (context-specific, explicit), see the Android key attestation schema
const TAG_PURPOSE = 1;
const TAG_ALL_APPLICATIONS = 600;
const TAG_ORIGIN = 702;
const KM_ORIGIN_GENERATED = 0;
const KM_PURPOSE_SIGN = 2;
const SECURITY_LEVELS = ['Software', 'TrustedEnvironment', 'StrongBox'];

interface AuthList {
  purposes: number[];
  allApplications: boolean;
  origin?: number;
}

function authorizationList(t: Tlv): AuthList {
  const out: AuthList = { purposes: [], allApplications: false };
  for (const item of children(t)) {
    const n = item.tag >= 0x1000000 ? item.tag % 0x1000000 : item.tag & 0x1f;
    if (n === TAG_ALL_APPLICATIONS) out.allApplications = true;
    else if (n === TAG_PURPOSE) out.purposes = children(children(item)[0]!).map(decodeInteger);
    else if (n === TAG_ORIGIN) out.origin = decodeInteger(children(item)[0]!);
  }
  return out;
}

/** "android-key" (WebAuthn L3 §8.4), key description per the Android key attestation schema. */
export function verifyAndroidKey(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'android-key', SPEC);
  const alg = f.int('alg');
  const sig = f.bytes('sig');
  const x5c = f.certs();
  const findings: Finding[] = [...f.findings];
  if (!x5c) return { findings, type: 'basic', trustPath: [], anchorSet: 'android-key' };
  const leaf = x5c[0]!;
  if (alg !== undefined && sig) {
    findings.push(signatureVerdict('ATT_ANDROID_KEY_SIGNATURE', `${SPEC} step 2`, alg, leaf.publicKey, signedData(input), sig, 'sig verifies with the leaf certificate key'));
  }
  const k = input.credentialKey;
  findings.push(verdict('ATT_ANDROID_KEY_KEY_MATCH', !!k && leaf.publicKey.equals(k.keyObject), `${SPEC} step 3`, 'leaf certificate public key equals the credential public key', 'same key', 'different key'));
  const ext = leaf.extensions.get(OID.ANDROID_KEY_DESCRIPTION);
  if (!ext) {
    findings.push({ code: 'ATT_ANDROID_KEY_DESCRIPTION', status: 'fail', spec: `${SPEC} step 4`, message: 'leaf certificate has no key description extension 1.3.6.1.4.1.11129.2.1.17' });
    return { findings, type: 'basic', trustPath: x5c, anchorSet: 'android-key' };
  }
  try {
    const kd = children(readTlv(ext.value, 0));
    const challenge = contents(kd[4]!);
    const securityLevel = SECURITY_LEVELS[decodeInteger(kd[1]!)] ?? 'unknown';
    const sw = authorizationList(kd[6]!);
    const tee = authorizationList(kd[7]!);
    findings.push(verdict('ATT_ANDROID_KEY_CHALLENGE', Buffer.from(challenge).equals(Buffer.from(input.clientDataHash)), `${SPEC} step 4`, 'attestationChallenge equals clientDataHash', Buffer.from(input.clientDataHash).toString('hex'), Buffer.from(challenge).toString('hex')));
    findings.push(verdict('ATT_ANDROID_KEY_NOT_ALL_APPS', !sw.allApplications && !tee.allApplications, `${SPEC} step 4`, 'the key is not usable by all applications (no allApplications tag)', 'absent', 'present'));
    // §8.4: use the TEE-enforced list unless the RP accepts software-only keys; report which
    const list = tee.origin !== undefined || tee.purposes.length ? tee : sw;
    findings.push(verdict('ATT_ANDROID_KEY_ORIGIN', list.origin === KM_ORIGIN_GENERATED, `${SPEC} step 4`, 'origin is KM_ORIGIN_GENERATED (created inside the keystore)', '0', String(list.origin ?? 'absent')));
    findings.push(verdict('ATT_ANDROID_KEY_PURPOSE', list.purposes.includes(KM_PURPOSE_SIGN), `${SPEC} step 4`, 'purpose includes KM_PURPOSE_SIGN', '[2]', JSON.stringify(list.purposes)));
    findings.push({ code: 'ATT_ANDROID_KEY_SECURITY_LEVEL', status: securityLevel === 'Software' ? 'warn' : 'pass', spec: 'Android key attestation', message: `attestation security level: ${securityLevel}${list === sw ? ' (authorizations from softwareEnforced)' : ''}` });
  } catch (e) {
    findings.push({ code: 'ATT_ANDROID_KEY_DESCRIPTION', status: 'fail', spec: `${SPEC} step 4`, message: `key description extension is malformed: ${(e as Error).message}` });
  }
  return { findings, type: 'basic', trustPath: x5c, anchorSet: 'android-key' };
}
