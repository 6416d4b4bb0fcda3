import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa, type LeafOptions } from '../emulation/AttestationCa.ts';
import { SoftAuthenticator, type SoftFaults, type SoftFeatures } from '../emulation/SoftAuthenticator.ts';
import { connectDevice } from '../ctap/CtapDevice.ts';
import { inspectInput } from './inspectInput.ts';
import { parseRegistrationResponse, parseAuthenticationResponse } from '../webauthn/parseResponse.ts';
import { verifyAssertion } from '../webauthn/verifyAssertion.ts';
import { coseKeyToPublicKey, COSE_ALG_NAMES, VERIFIABLE_ALGORITHMS } from '../webauthn/coseKey.ts';
import { decodeCbor, type CborValue } from '../cbor/decodeCbor.ts';
import { encodeCanonical, RawCbor, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { asTpmRegistration } from '../../../test/helpers/tpmAttestation.ts';

/**
 * The classes of verdict a conformant RP reaches on other projects' vectors, each with fixtures
 * this project generates itself (its test CA, its software key, its own encodings).
 */
const AAGUID = '5eed0013-0000-4000-8000-00000000acc0';
const ORIGIN = 'https://vendor.example';
const RP_ID = 'vendor.example';
const AT = new Date(Date.UTC(2030, 5, 1));
const options = (algs = [-7]) => ({ challenge: 'YWNjdXJhY3ktY2hhbGxlbmdl', attestation: 'direct', rp: { id: RP_ID }, user: { id: 'dXNlcg', name: 'u' }, pubKeyCredParams: algs.map((alg) => ({ alg, type: 'public-key' })) });

let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});

async function key(o: { leaf?: Partial<LeafOptions>; features?: SoftFeatures; faults?: SoftFaults; algorithms?: number[]; withRoot?: boolean } = {}) {
  const leaf = await ca.issueLeaf({ aaguid: AAGUID, ...o.leaf });
  return new SoftAuthenticator({ aaguid: Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: o.withRoot ? [leaf.der, ca.rootDer] : [leaf.der], features: o.features, faults: o.faults, algorithms: o.algorithms });
}
const wrap = (response: unknown, extra: Record<string, unknown> = {}) => ({ response, expectedChallenge: options().challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, ...extra });
const inspect = (response: unknown, extra: Record<string, unknown> = {}) => inspectInput(wrap(response, extra), { at: AT, roots: [new crypto.X509Certificate(ca.rootDer)] });
const finding = (r: { findings: { code: string }[] }, code: string) => r.findings.find((f) => f.code === code) as { status: string; message: string; expected?: string; actual?: string } | undefined;
const failing = (r: { findings: { code: string; status: string }[] }) => r.findings.filter((f) => f.status === 'fail').map((f) => f.code);

describe('1. the issuer test is RFC 5280 §6.1.3: names and the signature, not key identifiers', () => {
  it('an authority key identifier that differs from the issuer\'s subject key identifier: trusted, with a warning', async () => {
    const r = inspect(await (await key({ leaf: { authorityKeyId: 'ab'.repeat(20) } })).create(options(), ORIGIN));
    expect(failing(r)).toEqual([]);
    expect(r.verified).toBe(true);
    expect(r.summary.trust).toBe('trusted');
    expect(finding(r, 'CHAIN_KEY_IDENTIFIER')).toMatchObject({ status: 'warn', actual: 'ab'.repeat(20) });
    // the same inside x5c (leaf, then the root): the link passes on name and signature
    const inChain = inspect(await (await key({ leaf: { authorityKeyId: 'cd'.repeat(20) }, withRoot: true })).create(options(), ORIGIN));
    expect(finding(inChain, 'CHAIN_LINK')?.status).toBe('pass');
    expect(finding(inChain, 'CHAIN_KEY_IDENTIFIER')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^x5c\[0\]'s authority key identifier differs from x5c\[1\]'s/) });
    expect(inChain.summary.trust).toBe('trusted');
  });

  it('an issuer name that is not the parent\'s subject: the failure shows both names, not the same one twice', async () => {
    const r = inspect(await (await key({ leaf: { issuerName: 'CN=Somebody Else, O=Elsewhere, C=US' } })).create(options(), ORIGIN));
    const link = finding(r, 'ATT_CHAIN_TRUSTED');
    expect(r.verified).toBe(true); // an untrusted chain is RP policy (a warning), the statement itself verifies
    expect(link?.status).toBe('warn');
    expect(link?.actual).toMatch(/issued by CN=Somebody Else/);
    const inChain = inspect(await (await key({ leaf: { issuerName: 'CN=Somebody Else, O=Elsewhere, C=US' }, withRoot: true })).create(options(), ORIGIN));
    expect(finding(inChain, 'CHAIN_LINK')).toMatchObject({ status: 'fail', expected: expect.stringMatching(/x5c\[0\]'s issuer name equal to x5c\[1\]'s subject, .*fido2-harness Test Attestation Root/), actual: expect.stringMatching(/x5c\[0\]'s issuer is .*Somebody Else/) });
  });
});

describe('2. TPM pubArea against the credential key', () => {
  it('a credential algorithm the RP did not offer fails ALG_ALLOWED only; pubArea still matches the key', async () => {
    const json = await asTpmRegistration(await (await key({ algorithms: [-257] })).create(options([-257]), ORIGIN), ca, AAGUID);
    const r = inspect(json, { expectedAlgorithms: [-7] });
    expect(failing(r)).toEqual(['ALG_ALLOWED']);
    expect(finding(r, 'ATT_TPM_PUBAREA_KEY')?.status).toBe('pass');
    expect(finding(r, 'ATT_TPM_SIGNATURE')?.status).toBe('pass');
  });

  it('RSA moduli and EC points compared as numbers: a leading zero octet is the same key', async () => {
    for (const alg of [-257, -7]) {
      const json = await asTpmRegistration(await (await key({ algorithms: [alg] })).create(options([alg]), ORIGIN), ca, AAGUID, { leadingZero: true });
      const r = inspect(json);
      expect(finding(r, 'ATT_TPM_PUBAREA_KEY')?.status, `alg ${alg}`).toBe('pass');
      expect(r.verified, failing(r).join()).toBe(true);
    }
  });

  it('a credential key that was refused is not compared (skip), instead of "different key"', async () => {
    // an EC2 key that declares RS256: CREDENTIAL_PUBLIC_KEY fails, pubArea cannot be judged against it
    const reg = await (await key()).create(options(), ORIGIN);
    const att = decodeCbor(new Uint8Array(Buffer.from(reg.response.attestationObject, 'base64url')), 'a').value as Map<string, CborValue>;
    const ad = Buffer.from(att.get('authData') as Uint8Array);
    const coseAt = 37 + 18 + ((ad[53]! << 8) | ad[54]!);
    const cose = decodeCbor(ad.subarray(coseAt), 'cose').value as Map<number, CborValue>;
    cose.set(3, -257);
    const mutated = Buffer.concat([ad.subarray(0, coseAt), Buffer.from(encodeCanonical(cose as Map<number, CanonicalValue>))]);
    const rebuilt = { ...reg, response: { ...reg.response, attestationObject: Buffer.from(encodeCanonical(new Map<string, CanonicalValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', mutated]]))).toString('base64url') } };
    const r = inspect(await asTpmRegistration(rebuilt, ca, AAGUID));
    expect(finding(r, 'CREDENTIAL_PUBLIC_KEY')?.status).toBe('fail');
    expect(finding(r, 'ATT_TPM_PUBAREA_KEY')).toMatchObject({ status: 'skip', message: expect.stringMatching(/not compared: the credential public key was not accepted/) });
  });
});

/** Re-encodes a CBOR value with indefinite lengths everywhere (valid CBOR, RFC 8949 §3.2.2; not CTAP2 canonical). */
function indefinite(v: CborValue): Uint8Array {
  if (v instanceof Uint8Array) {
    const half = Math.floor(v.length / 2);
    return Uint8Array.from([0x5f, ...encodeCanonical(v.subarray(0, half)), ...encodeCanonical(v.subarray(half)), 0xff]);
  }
  if (Array.isArray(v)) return Uint8Array.from([0x9f, ...v.flatMap((x) => [...indefinite(x)]), 0xff]);
  if (v instanceof Map) return Uint8Array.from([0xbf, ...[...v].flatMap(([k, x]) => [...encodeCanonical(k), ...indefinite(x)]), 0xff]);
  return encodeCanonical(v as CanonicalValue);
}

describe('3. indefinite-length CBOR is valid CBOR: verified, reported as not canonical', () => {
  it('a packed registration whose attestation object is re-encoded with indefinite lengths verifies, with CBOR_CANONICAL as a warning', async () => {
    const reg = await (await key()).create(options(), ORIGIN);
    const att = decodeCbor(new Uint8Array(Buffer.from(reg.response.attestationObject, 'base64url')), 'a').value;
    const re = { ...reg, response: { ...reg.response, attestationObject: Buffer.from(indefinite(att)).toString('base64url') } };
    const r = inspect(re);
    expect(failing(r)).toEqual([]);
    expect(r.verified).toBe(true);
    expect(finding(r, 'CBOR_CANONICAL')).toMatchObject({ status: 'warn', message: expect.stringMatching(/indefinite-length map at offset 0/) });
  });
});

describe('4. COSE algorithms: every signature algorithm node:crypto verifies, fully-specified ones too (RFC 9864)', () => {
  it('a credential under each of them registers (packed, full chain) and its assertion verifies; the wrong message does not', async () => {
    for (const alg of VERIFIABLE_ALGORITHMS) {
      const k = await key({ algorithms: [alg] });
      const reg = await k.create(options([alg]), ORIGIN);
      const r = inspect(reg, { expectedAlgorithms: [alg] });
      expect(failing(r), `${alg}`).toEqual([]);
      expect(finding(r, 'CREDENTIAL_PUBLIC_KEY')?.message, `${alg}`).toContain(`${COSE_ALG_NAMES[alg]} (${alg})`);
      const pk = coseKeyToPublicKey(parseRegistrationResponse(reg).authData.attestedCredentialData!.publicKey);
      const a = await k.get({ challenge: 'c2lnbi1pbg', rpId: RP_ID, allowCredentials: [{ id: reg.id, type: 'public-key' }] }, ORIGIN);
      const parsed = parseAuthenticationResponse(a);
      const x = { challenge: 'c2lnbi1pbg', origins: [ORIGIN], rpId: RP_ID, requireUserVerification: false };
      const v = verifyAssertion(parsed, x, { alg: pk.alg, keyObject: pk.keyObject, counter: 0, userHandle: new Uint8Array() });
      expect(v.verified, `${alg}: ${v.findings.filter((f) => f.status === 'fail').map((f) => f.code).join()}`).toBe(true);
      const tampered = { ...parsed, clientDataJSON: Buffer.concat([parsed.clientDataJSON, Buffer.from(' ')]) };
      expect(verifyAssertion(tampered, x, { alg: pk.alg, keyObject: pk.keyObject, counter: 0, userHandle: new Uint8Array() }).findings.find((f) => f.code === 'SIGNATURE')?.status, `${alg}`).toBe('fail');
    }
  });

  it('Ed448 is labelled Ed448 (-53); an Ed448 key under EdDSA (-8) fails, naming the right label (WebAuthn L3 §5.8.5)', async () => {
    const r = inspect(await (await key({ algorithms: [-53] })).create(options([-53]), ORIGIN), { expectedAlgorithms: [-53] });
    expect(failing(r)).toEqual([]);
    expect(r.summary.credentialAlg).toBe('Ed448');
    const wrong = inspect(await (await key({ algorithms: [-8], features: { eddsaCurve: 'Ed448' } })).create(options([-8]), ORIGIN), { expectedAlgorithms: [-8] });
    expect(finding(wrong, 'CREDENTIAL_PUBLIC_KEY')).toMatchObject({ status: 'fail', message: expect.stringMatching(/Ed448 key declares alg EdDSA \(-8\), which names Ed25519 keys only .*labelled Ed448 \(-53\)/) });
  });

  it('a P-384 key under ES256 (-7) or ESP256 (-9) is a defect of the key: the algorithm names P-256', () => {
    const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const j = publicKey.export({ format: 'jwk' });
    for (const alg of [-7, -9]) {
      const k = new Map<number, CborValue>([[1, 2], [3, alg], [-1, 2], [-2, new Uint8Array(Buffer.from(j.x!, 'base64url'))], [-3, new Uint8Array(Buffer.from(j.y!, 'base64url'))]]);
      expect(() => coseKeyToPublicKey(k)).toThrow(/P-384 key declares alg ES?P?256 \(-[79]\), which names P-256 keys only.*labelled ES384 \(-35\) or ESP384 \(-51\)/);
    }
  });

  it('a registered algorithm node:crypto cannot verify (HSS-LMS, -46): not judged, named, never the key\'s failure; one the RP did not offer fails ALG_ALLOWED', async () => {
    const reg = await handBuilt(new Map<number, CanonicalValue>([[1, 5], [3, -46], [-1, new Uint8Array(60).fill(7)]]));
    const r = inspect(reg, { expectedAlgorithms: [-46, -7] });
    expect(failing(r)).toEqual([]);
    expect(r.verified).toBe(true);
    expect(finding(r, 'CREDENTIAL_PUBLIC_KEY')).toMatchObject({ status: 'skip', message: expect.stringMatching(/HSS-LMS \(-46\) is not verifiable by this harness/) });
    expect(finding(r, 'ALG_ALLOWED')?.status).toBe('pass');
    expect(finding(r, 'ATT_PACKED_SIGNATURE')?.status).toBe('pass');
    expect(finding(inspect(reg, { expectedAlgorithms: [-7] }), 'ALG_ALLOWED')).toMatchObject({ status: 'fail', actual: 'HSS-LMS (-46)' });
    // its self attestation cannot be checked either: a skip, not a pass and not a failure
    const self = await handBuilt(new Map<number, CanonicalValue>([[1, 5], [3, -46], [-1, new Uint8Array(60).fill(7)]]), 'self');
    expect(finding(inspect(self, { expectedAlgorithms: [-46] }), 'ATT_PACKED_SIGNATURE')).toMatchObject({ status: 'skip', message: expect.stringMatching(/HSS-LMS/) });
    // the sign-in with that credential: the signature is a skip naming the algorithm, the rest is judged
    const assertion = await inspectInput({ ...wrap(await assertionFor()), credentialPublicKey: Buffer.from(encodeCanonical(new Map<number, CanonicalValue>([[1, 5], [3, -46], [-1, new Uint8Array(60)]]))).toString('base64url') }, { at: AT });
    expect(assertion.findings.find((f) => f.code === 'SIGNATURE')).toMatchObject({ status: 'skip', message: expect.stringMatching(/HSS-LMS \(-46\) is not verifiable/) });
  });
});

describe('4b. unregistered attestation formats are not verified (WebAuthn L3 §7.1 steps 19-20)', () => {
  it('renaming fmt of a valid packed statement does not make it pass: ATT_FORMAT fails naming the format, for short and long names alike', async () => {
    const reg = await (await key()).create(options(), ORIGIN);
    expect(inspect(reg).verified).toBe(true);
    const att = decodeCbor(new Uint8Array(Buffer.from(reg.response.attestationObject, 'base64url')), 'a').value as Map<string, CborValue>;
    for (const fmt of ['packed2', 'x'.repeat(40), 'PACKED']) {
      const renamed = new Map<string, CanonicalValue>([['fmt', fmt], ['attStmt', new RawCbor(encodeCanonical(att.get('attStmt') as never))], ['authData', att.get('authData') as Uint8Array]]);
      const r = inspect({ ...reg, response: { ...reg.response, attestationObject: Buffer.from(encodeCanonical(renamed)).toString('base64url') } });
      expect(r.verified, fmt).toBe(false);
      expect(finding(r, 'ATT_FORMAT'), fmt).toMatchObject({ status: 'fail', message: expect.stringMatching(/is not a registered WebAuthn format: no verification procedure exists for it, so the statement is not verified/), actual: fmt });
      expect(failing(r), fmt).toEqual(['ATT_FORMAT']);
    }
  });
});

/** A packed registration built by hand around a given credential key (the attestation key signs; `self`: an unverifiable self signature). */
async function handBuilt(coseKey: Map<number, CanonicalValue>, kind: 'full' | 'self' = 'full') {
  const leaf = await ca.issueLeaf({ aaguid: AAGUID });
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options().challenge, origin: ORIGIN, crossOrigin: false }));
  const credId = crypto.randomBytes(16);
  const authData = Buffer.concat([crypto.createHash('sha256').update(RP_ID).digest(), Buffer.from([0x41, 0, 0, 0, 1]), Buffer.from(AAGUID.replace(/-/g, ''), 'hex'), Buffer.from([0, 16]), credId, Buffer.from(encodeCanonical(coseKey))]);
  const signed = Buffer.concat([authData, crypto.createHash('sha256').update(clientDataJSON).digest()]);
  const attStmt = kind === 'full'
    ? new Map<string, CanonicalValue>([['alg', -7], ['sig', new Uint8Array(crypto.sign('sha256', signed, leaf.privateKey))], ['x5c', [leaf.der]]])
    : new Map<string, CanonicalValue>([['alg', coseKey.get(3)!], ['sig', new Uint8Array(64).fill(1)]]);
  const attestationObject = encodeCanonical(new Map<string, CanonicalValue>([['fmt', 'packed'], ['attStmt', attStmt], ['authData', new Uint8Array(authData)]]));
  const id = credId.toString('base64url');
  return { id, rawId: id, type: 'public-key', response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: Buffer.from(attestationObject).toString('base64url') }, clientExtensionResults: {} };
}

/** An assertion from the software key (its signature made with ES256; what matters is the key it is checked against). */
async function assertionFor() {
  const k = await key();
  const reg = await k.create(options(), ORIGIN);
  return k.get({ challenge: options().challenge, rpId: RP_ID, allowCredentials: [{ id: reg.id, type: 'public-key' }] }, ORIGIN);
}

describe('5. which algorithms the RP offered: expectedAlgorithms', () => {
  it('RS1 (-65535) credentials pass ALG_ALLOWED when the RP offered them (and by default), fail when it did not', async () => {
    const reg = await (await key({ algorithms: [-65535] })).create(options([-65535]), ORIGIN);
    expect(finding(inspect(reg), 'ALG_ALLOWED')?.status).toBe('pass');
    expect(finding(inspect(reg, { expectedAlgorithms: [-65535, -257] }), 'ALG_ALLOWED')?.status).toBe('pass');
    expect(finding(inspect(reg, { expectedAlgorithms: [-7, -257] }), 'ALG_ALLOWED')).toMatchObject({ status: 'fail', actual: 'RS1 (-65535)' });
    for (const bad of [[], ['-7'], 'ES256', [1.5]]) {
      expect(() => inspect(reg, { expectedAlgorithms: bad })).toThrow(/expectedAlgorithms must be a non-empty array of COSE algorithm identifiers/);
    }
  });
});

/** makeCredential straight over CTAP (no browser in between), wrapped as a browser would send it: what Firefox 98 passed on. */
async function rawRegistration(faults: SoftFaults) {
  const k = await key({ faults });
  const device = await connectDevice(k.transport());
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options().challenge, origin: ORIGIN, crossOrigin: false }));
  const made = await device.ctap2!.makeCredential({ clientDataHash: new Uint8Array(crypto.createHash('sha256').update(clientDataJSON).digest()), rp: { id: RP_ID }, user: { id: new Uint8Array(4), name: 'u' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] });
  await device.close();
  const attestationObject = encodeCanonical(new Map<string, CanonicalValue>([['fmt', made.fmt], ['attStmt', new RawCbor(made.attStmtRaw)], ['authData', made.authData]]));
  const id = Buffer.from('not-readable-from-authdata').toString('base64url');
  return { id, rawId: id, type: 'public-key', response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: Buffer.from(attestationObject).toString('base64url') }, clientExtensionResults: {} };
}

describe('6. malformed authenticator data is a verdict naming the byte, not bad input', () => {
  it('cut inside the AAGUID, a COSE key map that miscounts, a trailing byte: each a failed verification with the offset, the rest still decoded', async () => {
    const cut = inspect(await rawRegistration({ truncatedAaguid: true }));
    expect(cut.verified).toBe(false);
    expect(finding(cut, 'AUTHDATA_STRUCTURE')).toMatchObject({ status: 'fail', message: expect.stringMatching(/at byte offset 37: .*ends after 47 bytes, 10 of the 18 needed/) });
    expect((cut.decoded as { authenticatorData: { flags: { AT: boolean; UP: boolean }; signCount: number } }).authenticatorData).toMatchObject({ flags: { AT: true, UP: true }, signCount: expect.any(Number), length: 47 });
    // the attestation signature covers the bytes as sent: still verified against the x5c
    expect(finding(cut, 'ATT_PACKED_SIGNATURE')?.status).toBe('pass');
    const miscount = inspect(await rawRegistration({ coseKeyMiscounted: true }));
    expect(finding(miscount, 'AUTHDATA_STRUCTURE')).toMatchObject({ status: 'fail', message: expect.stringMatching(/at byte offset \d+: credentialPublicKey: truncated/), expected: expect.stringMatching(/one CBOR map \(COSE_Key\)/) });
    expect((miscount.decoded as { authenticatorData: { aaguid: string } }).authenticatorData.aaguid).toBe(AAGUID);
    const trailing = inspect(await rawRegistration({ trailingCbor: true }));
    expect(finding(trailing, 'AUTHDATA_STRUCTURE')).toMatchObject({ status: 'fail', message: expect.stringMatching(/1 trailing byte\(s\) after authenticatorData/) });
  });

  it('input that is not a response at all is still bad input', () => {
    expect(() => inspect({ id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'not base64url!' } })).toThrow(HarnessError);
    expect(() => inspect({ id: 'eA', rawId: 'eA', type: 'public-key', response: { clientDataJSON: Buffer.from('{"type":"webauthn.create","challenge":"x","origin":"y"}').toString('base64url'), attestationObject: Buffer.from([0xa1, 0x63]).toString('base64url') } })).toThrow(/BAD_CBOR|truncated/);
  });
});

describe('7. DER character strings per X.690', () => {
  const ou = (tag: number, bytes: Buffer) => `C=US, O=fido2-harness, OU=#${Buffer.concat([Buffer.from([tag, bytes.length]), bytes]).toString('hex')}, CN=Test Key`;
  it('an OU of "Authenticator Attestation" as BMPString (UTF-16BE), UniversalString (UCS-4BE) or TeletexString meets §8.2.1', async () => {
    const text = 'Authenticator Attestation';
    for (const [tag, bytes] of [[0x1e, Buffer.from(text, 'utf16le').swap16()], [0x1c, Buffer.concat([...text].map((c) => Buffer.from([0, 0, 0, c.charCodeAt(0)])))], [0x14, Buffer.from(text, 'latin1')]] as const) {
      const r = inspect(await (await key({ leaf: { subject: ou(tag, bytes) } })).create(options(), ORIGIN));
      expect(finding(r, 'ATT_PACKED_CERT_SUBJECT_OU')?.status, `tag 0x${tag.toString(16)}`).toBe('pass');
      expect(r.verified).toBe(true);
    }
  });
});
