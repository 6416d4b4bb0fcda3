import crypto from 'node:crypto';
import { peculiarX509 } from '../../conformance/src/pki/x509Provider.ts';
import type { AttestationCa } from '../../conformance/src/emulation/AttestationCa.ts';
import { decodeCbor, type CborValue } from '../../conformance/src/cbor/decodeCbor.ts';
import { encodeCbor } from '../../conformance/src/cbor/encodeCbor.ts';
import { parseAuthenticatorData } from '../../conformance/src/webauthn/parseAuthenticatorData.ts';

/**
 * A "tpm" attestation statement (WebAuthn L3 §8.3, TPM 2.0 Part 2 structures) for a registration
 * the software key made: pubArea for its credential key, certInfo over authData || clientDataHash,
 * signed by an AIK whose certificate our test CA issues with the §8.3.1 profile (empty subject,
 * TPM subjectAltName, tcg-kp-AIKCertificate). Our own encoder, from the specs, for tests.
 */
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const sized = (b: Uint8Array | number[]) => [...u16(b.length), ...b];

export function tpmPubArea(cose: Map<number | string, CborValue>, o: { leadingZero?: boolean } = {}): Uint8Array {
  const kty = cose.get(1);
  const attrs = u32(0x00060472); // fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | sign
  if (kty === 3) {
    const n = cose.get(-1) as Uint8Array;
    const unique = o.leadingZero ? [0, ...n] : [...n];
    return Uint8Array.from([...u16(0x0001), ...u16(0x000b), ...attrs, ...sized([]), ...u16(0x0010), ...u16(0x0010), ...u16(n.length * 8), ...u32(0), ...sized(unique)]);
  }
  const x = cose.get(-2) as Uint8Array;
  const y = cose.get(-3) as Uint8Array;
  const pad = (b: Uint8Array) => (o.leadingZero ? [0, ...b] : [...b]);
  return Uint8Array.from([...u16(0x0023), ...u16(0x000b), ...attrs, ...sized([]), ...u16(0x0010), ...u16(0x0010), ...u16(0x0003), ...u16(0x0010), ...sized(pad(x)), ...sized(pad(y))]);
}

export function tpmCertInfo(pubArea: Uint8Array, extraData: Uint8Array): Uint8Array {
  const name = [...u16(0x000b), ...crypto.createHash('sha256').update(pubArea).digest()];
  return Uint8Array.from([...u32(0xff544347), ...u16(0x8017), ...sized([]), ...sized(extraData), ...new Array(17).fill(0), ...new Array(8).fill(0), ...sized(name), ...sized([])]);
}

/** The AIK certificate profile of §8.3.1, from the test CA. */
export async function issueAik(ca: AttestationCa, aaguid: string) {
  const x509 = peculiarX509();
  const tpmName = new x509.Name('2.23.133.2.1=id:FFFFF1D0, 2.23.133.2.2=fido2-harness TPM, 2.23.133.2.3=id:00020000');
  return ca.issueLeaf({
    aaguid,
    subject: '',
    keyAlgorithm: 'rsa-2048',
    extraExtensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dn', value: tpmName.toString() } as never], true),
      new x509.ExtendedKeyUsageExtension(['2.23.133.8.3']),
    ],
  });
}

/**
 * The registration response with its attestation replaced by a tpm statement over the same
 * authenticator data (the credential key is the software key's). `pubArea` edits the pubArea.
 */
export async function asTpmRegistration(json: Record<string, any>, ca: AttestationCa, aaguid: string, o: { leadingZero?: boolean; pubArea?: (p: Uint8Array) => Uint8Array } = {}): Promise<Record<string, any>> {
  const att = decodeCbor(new Uint8Array(Buffer.from(json.response.attestationObject, 'base64url')), 'attestationObject').value as Map<string, CborValue>;
  const authData = att.get('authData') as Uint8Array;
  const cose = parseAuthenticatorData(authData).attestedCredentialData!.publicKey;
  const clientDataHash = crypto.createHash('sha256').update(Buffer.from(json.response.clientDataJSON, 'base64url')).digest();
  const extra = crypto.createHash('sha256').update(Buffer.concat([authData, clientDataHash])).digest();
  let pubArea = tpmPubArea(cose, { leadingZero: o.leadingZero });
  if (o.pubArea) pubArea = o.pubArea(pubArea);
  const certInfo = tpmCertInfo(pubArea, extra);
  const aik = await issueAik(ca, aaguid);
  const sig = crypto.sign('sha256', certInfo, aik.privateKey);
  const attStmt = new Map<string, unknown>([['ver', '2.0'], ['alg', -257], ['x5c', [aik.der]], ['sig', sig], ['certInfo', certInfo], ['pubArea', pubArea]]);
  const out = encodeCbor(new Map<string, unknown>([['fmt', 'tpm'], ['attStmt', attStmt], ['authData', authData]]));
  return { ...json, response: { ...json.response, attestationObject: Buffer.from(out).toString('base64url') } };
}
