import crypto from 'node:crypto';
import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { StatementFields } from '../statementFields.ts';
import { verdict } from '../../findings/Finding.ts';
import { coseAlgorithmLabel } from '../../webauthn/coseAlgorithms.ts';
import { signatureVerdict } from './signedData.ts';
import type { Finding } from '../../findings/Finding.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { OID, type ParsedCertificate } from '../../pki/parseCertificate.ts';
import { formatAaguid } from '../../encoding/formatAaguid.ts';
import { readTlv, children, decodeOid } from '../../asn1/der.ts';
import { signedData } from './signedData.ts';

const SPEC = 'WebAuthn L3 §8.3';
const TPM_GENERATED_VALUE = 0xff544347;
const TPM_ST_ATTEST_CERTIFY = 0x8017;
const TPM_ALG = { RSA: 0x0001, SHA1: 0x0004, SHA256: 0x000b, SHA384: 0x000c, SHA512: 0x000d, ECC: 0x0023 };
const NAME_HASH: Record<number, string> = { [TPM_ALG.SHA1]: 'sha1', [TPM_ALG.SHA256]: 'sha256', [TPM_ALG.SHA384]: 'sha384', [TPM_ALG.SHA512]: 'sha512' };
const TPM_CURVES: Record<number, string> = { 0x0003: 'P-256', 0x0004: 'P-384', 0x0005: 'P-521' };
/** COSE alg of attStmt.alg to the hash over attToBeSigned (RS1 = -65535 is allowed for TPM) */
const ALG_HASH: Record<number, string> = { [-65535]: 'sha1', [-257]: 'sha256', [-258]: 'sha384', [-259]: 'sha512', [-37]: 'sha256', [-7]: 'sha256', [-35]: 'sha384', [-36]: 'sha512' };

/** A cursor over TPM 2.0 big-endian structures (TPM 2.0 Part 2). */
class TpmReader {
  pos = 0;
  readonly b: Uint8Array;
  readonly what: string;
  constructor(b: Uint8Array, what: string) {
    this.b = b;
    this.what = what;
  }
  need(n: number) {
    if (this.pos + n > this.b.length) throw new HarnessError('BAD_TPM_STRUCTURE', `${this.what} truncated at offset ${this.pos} (need ${n} bytes)`);
  }
  u16() {
    this.need(2);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32() {
    this.need(4);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getUint32(0);
    this.pos += 4;
    return v;
  }
  bytes(n: number) {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** TPM2B: u16 size then bytes */
  sized() {
    return this.bytes(this.u16());
  }
}

interface PubArea { type: number; nameAlg: number; rsa?: { n: Uint8Array; exponent: number }; ecc?: { curve: number; x: Uint8Array; y: Uint8Array } }

function parsePubArea(b: Uint8Array): PubArea {
  const r = new TpmReader(b, 'pubArea');
  const type = r.u16();
  const nameAlg = r.u16();
  r.u32(); // objectAttributes
  r.sized(); // authPolicy
  const out: PubArea = { type, nameAlg };
  if (type === TPM_ALG.RSA) {
    r.u16(); // symmetric
    r.u16(); // scheme
    r.u16(); // keyBits
    const exponent = r.u32();
    out.rsa = { exponent: exponent === 0 ? 65537 : exponent, n: r.sized() };
  } else if (type === TPM_ALG.ECC) {
    r.u16(); // symmetric
    r.u16(); // scheme
    const curve = r.u16();
    r.u16(); // kdf
    out.ecc = { curve, x: r.sized(), y: r.sized() };
  } else {
    throw new HarnessError('BAD_TPM_STRUCTURE', `pubArea type 0x${type.toString(16)} is neither RSA nor ECC`);
  }
  if (r.pos !== b.length) throw new HarnessError('BAD_TPM_STRUCTURE', `pubArea has ${b.length - r.pos} trailing byte(s)`);
  return out;
}

function parseCertInfo(b: Uint8Array) {
  const r = new TpmReader(b, 'certInfo');
  const magic = r.u32();
  const type = r.u16();
  r.sized(); // qualifiedSigner
  const extraData = r.sized();
  r.bytes(17); // clockInfo
  r.bytes(8); // firmwareVersion
  const name = r.sized();
  r.sized(); // qualifiedName
  if (r.pos !== b.length) throw new HarnessError('BAD_TPM_STRUCTURE', `certInfo has ${b.length - r.pos} trailing byte(s)`);
  return { magic, type, extraData, name };
}

/** "tpm" (WebAuthn L3 §8.3), TPM 2.0 attestation with an AIK certificate. */
export function verifyTpm(input: FormatInput): FormatResult {
  const f = new StatementFields(input.attStmt, 'tpm', SPEC);
  const ver = f.text('ver');
  const alg = f.int('alg');
  const sig = f.bytes('sig');
  const certInfoBytes = f.bytes('certInfo');
  const pubAreaBytes = f.bytes('pubArea');
  const x5c = f.certs();
  const findings: Finding[] = [...f.findings];
  if (ver !== undefined) findings.push(verdict('ATT_TPM_VERSION', ver === '2.0', `${SPEC} step 1`, 'ver is "2.0"', '"2.0"', JSON.stringify(ver)));
  const k = input.credentialKey;
  if (pubAreaBytes) {
    try {
      const pa = parsePubArea(pubAreaBytes);
      if (!k) {
        // the credential key was refused before (CREDENTIAL_PUBLIC_KEY says why): there is nothing to compare
        findings.push({ code: 'ATT_TPM_PUBAREA_KEY', status: 'skip', spec: `${SPEC} step 2`, message: 'the key in pubArea is not compared: the credential public key was not accepted (see CREDENTIAL_PUBLIC_KEY)' });
      } else {
        const j = k.keyObject.export({ format: 'jwk' });
        // compared as numbers: a modulus or coordinate may carry leading zero octets on one side only
        const num = (b: Uint8Array | string) => BigInt(`0x${(typeof b === 'string' ? Buffer.from(b, 'base64url') : Buffer.from(b)).toString('hex') || '0'}`);
        let same = false;
        let actual = 'a key of another type';
        if (pa.rsa && j.kty === 'RSA') {
          same = num(j.n!) === num(pa.rsa.n) && num(j.e!) === BigInt(pa.rsa.exponent);
          actual = same ? 'same key' : `modulus ${Buffer.from(pa.rsa.n).toString('hex').slice(0, 16)}…, exponent ${pa.rsa.exponent}`;
        } else if (pa.ecc && j.kty === 'EC') {
          same = TPM_CURVES[pa.ecc.curve] === j.crv && num(j.x!) === num(pa.ecc.x) && num(j.y!) === num(pa.ecc.y);
          actual = same ? 'same key' : `${TPM_CURVES[pa.ecc.curve] ?? `curve 0x${pa.ecc.curve.toString(16)}`} point x=${Buffer.from(pa.ecc.x).toString('hex').slice(0, 16)}…`;
        }
        findings.push(verdict('ATT_TPM_PUBAREA_KEY', same, `${SPEC} step 2`, 'the key in pubArea equals the credential public key', `the credential key (${k.algName}${j.kty === 'EC' ? ` on ${j.crv}` : ''})`, actual));
      }
      if (certInfoBytes) {
        const ci = parseCertInfo(certInfoBytes);
        findings.push(verdict('ATT_TPM_CERTINFO_MAGIC', ci.magic === TPM_GENERATED_VALUE, `${SPEC} step 4`, 'certInfo.magic is TPM_GENERATED_VALUE', '0xff544347', `0x${ci.magic.toString(16)}`));
        findings.push(verdict('ATT_TPM_CERTINFO_TYPE', ci.type === TPM_ST_ATTEST_CERTIFY, `${SPEC} step 4`, 'certInfo.type is TPM_ST_ATTEST_CERTIFY', '0x8017', `0x${ci.type.toString(16)}`));
        const h = alg !== undefined ? ALG_HASH[alg] : undefined;
        const expectedExtra = h ? crypto.createHash(h).update(signedData(input)).digest() : undefined;
        findings.push(verdict('ATT_TPM_EXTRA_DATA', !!expectedExtra && expectedExtra.equals(Buffer.from(ci.extraData)), `${SPEC} step 4`, `certInfo.extraData is the ${h ?? '?'} hash of authenticatorData || clientDataHash`, expectedExtra?.toString('hex') ?? `a hash for alg ${alg}`, Buffer.from(ci.extraData).toString('hex')));
        const nh = NAME_HASH[pa.nameAlg];
        const expectedName = nh ? Buffer.concat([Buffer.from([pa.nameAlg >> 8, pa.nameAlg & 0xff]), crypto.createHash(nh).update(pubAreaBytes).digest()]) : undefined;
        findings.push(verdict('ATT_TPM_ATTESTED_NAME', !!expectedName && expectedName.equals(Buffer.from(ci.name)), `${SPEC} step 4`, 'certInfo.attested.name is nameAlg || H(pubArea)', expectedName?.toString('hex'), Buffer.from(ci.name).toString('hex')));
      }
    } catch (e) {
      if (!(e instanceof HarnessError)) throw e;
      findings.push({ code: 'ATT_TPM_STRUCTURE', status: 'fail', spec: `${SPEC} steps 2-4`, message: e.message });
    }
  }
  if (alg === -65535) {
    findings.push({ code: 'ATT_TPM_SHA1', status: 'warn', spec: `${SPEC}; NIST SP 800-131A`, message: 'attStmt.alg is RS1 (RSASSA-PKCS1-v1_5 with SHA-1): WebAuthn allows it for TPM statements, but SHA-1 signatures are deprecated' });
  }
  if (!x5c) return { findings, type: 'attca', trustPath: [] };
  const aik = x5c[0]!;
  if (alg !== undefined && sig && certInfoBytes) {
    findings.push(signatureVerdict('ATT_TPM_SIGNATURE', `${SPEC} step 3`, alg, aik.publicKey, certInfoBytes, sig, `sig over certInfo verifies with the AIK certificate key (${coseAlgorithmLabel(alg)})`));
  }
  findings.push(...aikCertificateRequirements(aik, input.authData.attestedCredentialData?.aaguid));
  return { findings, type: 'attca', trustPath: x5c };
}

/** §8.3.1 TPM attestation (AIK) certificate requirements. */
function aikCertificateRequirements(aik: ParsedCertificate, aaguid: Uint8Array | undefined): Finding[] {
  const spec = 'WebAuthn L3 §8.3.1';
  const out: Finding[] = [];
  out.push(verdict('ATT_TPM_CERT_VERSION', aik.version === 3, spec, 'AIK certificate is X.509 version 3', '3', String(aik.version)));
  out.push(verdict('ATT_TPM_CERT_SUBJECT_EMPTY', Object.keys(aik.subjectAttrs).length === 0, spec, 'subject is empty', 'empty', aik.subject));
  const san = aik.extensions.get(OID.SUBJECT_ALT_NAME);
  out.push(verdict('ATT_TPM_CERT_SAN', !!san, spec, 'subjectAltName names the TPM (manufacturer, model, version)', 'present', 'absent'));
  const eku = aik.extensions.get(OID.EXT_KEY_USAGE);
  let hasAik = false;
  try {
    hasAik = !!eku && children(readTlv(eku.value, 0)).some((t) => decodeOid(t) === OID.TCG_KP_AIK_CERTIFICATE);
  } catch {
    hasAik = false;
  }
  out.push(verdict('ATT_TPM_CERT_EKU', hasAik, spec, 'extended key usage contains tcg-kp-AIKCertificate (2.23.133.8.3)', '2.23.133.8.3', eku ? 'other purposes' : 'no EKU extension'));
  out.push(verdict('ATT_TPM_CERT_NOT_CA', aik.basicConstraints?.ca !== true, spec, 'basic constraints CA is false', 'CA=false', 'CA=true'));
  if (aik.extensions.has(OID.AAGUID)) {
    const expected = aaguid ? formatAaguid(aaguid) : undefined;
    out.push(verdict('ATT_TPM_CERT_AAGUID_EXT', aik.aaguid === expected, spec, 'AAGUID extension equals the AAGUID in authenticatorData', expected, aik.aaguid ?? 'malformed'));
  }
  return out;
}
