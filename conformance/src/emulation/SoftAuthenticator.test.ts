import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from './SoftAuthenticator.ts';
import { AttestationCa } from './AttestationCa.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from '../webauthn/parseResponse.ts';
import { analyzeRegistration } from '../attestation/analyzeRegistration.ts';

const ORIGIN = 'https://rp.example';
const reg = (user: string, extra: Record<string, unknown> = {}) => ({ challenge: 'Y2g', attestation: 'direct', rp: { id: 'rp.example' }, user: { id: Buffer.from(user).toString('base64url') }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' }, ...extra });
const get = (extra: Record<string, unknown> = {}) => ({ challenge: 'Y2g', rpId: 'rp.example', userVerification: 'required', allowCredentials: [], ...extra });
const flagsOf = (json: any) => (json.response.attestationObject ? parseRegistrationResponse(json) : parseAuthenticationResponse(json)).authData.flags;

let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});

describe('SoftAuthenticator, the CTAP2 model', () => {
  it('client PIN: right PIN verifies; wrong PINs count down the retries, then the PIN is blocked', async () => {
    const k = new SoftAuthenticator({ features: { uv: false, clientPin: { pin: '1234', retries: 3 } } });
    expect(flagsOf(await k.create(reg('a'), ORIGIN)).UV).toBe(true);
    k.pinEntry = '0000';
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/PIN_INVALID \(0x31\), 2 retries left/);
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/1 retries left/);
    k.pinEntry = '1234';
    expect(flagsOf(await k.get(get(), ORIGIN)).UV).toBe(true); // a right PIN resets the counter
    expect(k.retriesLeft).toBe(3);
    k.pinEntry = '9999';
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/PIN_INVALID/);
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/PIN_INVALID/);
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/PIN_BLOCKED/);
    k.pinEntry = '1234';
    await expect(k.get(get(), ORIGIN)).rejects.toThrow(/PIN_BLOCKED/);
    expect(k.retriesLeft).toBe(0);
  });

  it('user verification only when asked; "discouraged" leaves UV clear; "required" without any UV fails', async () => {
    const k = new SoftAuthenticator();
    await k.create(reg('a'), ORIGIN);
    expect(flagsOf(await k.get(get({ userVerification: 'discouraged' }), ORIGIN)).UV).toBe(false);
    expect(flagsOf(await k.get(get({ userVerification: 'preferred' }), ORIGIN)).UV).toBe(true);
    const noUv = new SoftAuthenticator({ features: { uv: false, clientPin: false } });
    await expect(noUv.create(reg('a'), ORIGIN)).rejects.toThrow(/neither built-in user verification nor a client PIN/);
    const pinUnset = new SoftAuthenticator({ features: { uv: false } });
    await expect(pinUnset.create(reg('a'), ORIGIN)).rejects.toThrow(/no PIN set/);
  });

  it('credBlob is stored (up to 32 bytes) and returned on getCredBlob; minPinLength is reported', async () => {
    // the minimum PIN length is told only to RP IDs the owner allowed (CTAP 2.1 §12.4)
    const k = new SoftAuthenticator({ features: { credBlob: true, minPinLength: 6, minPinLengthRpIds: ['rp.example'] } });
    const r = parseRegistrationResponse(await k.create(reg('a', { extensions: { credBlob: Buffer.from('firmware 1.2').toString('base64url'), minPinLength: true } }), ORIGIN));
    expect(r.authData.extensions?.get('credBlob')).toBe(true);
    expect(r.authData.extensions?.get('minPinLength')).toBe(6);
    const a = parseAuthenticationResponse(await k.get(get({ extensions: { getCredBlob: true } }), ORIGIN));
    expect(Buffer.from(a.authData.extensions!.get('credBlob') as Uint8Array).toString()).toBe('firmware 1.2');
    const big = parseRegistrationResponse(await k.create(reg('b', { extensions: { credBlob: Buffer.alloc(33).toString('base64url') } }), ORIGIN));
    expect(big.authData.extensions?.get('credBlob')).toBe(false);
  });

  it('a global counter is shared by every credential; per-credential counters are not', async () => {
    const g = new SoftAuthenticator({ features: { counter: 'global' } });
    const c1 = (await g.create(reg('a'), ORIGIN)).id;
    const c2 = (await g.create(reg('b'), ORIGIN)).id;
    const count = async (k: SoftAuthenticator, id: string) => parseAuthenticationResponse(await k.get(get({ allowCredentials: [{ id }] }), ORIGIN)).authData.signCount;
    expect([await count(g, c1), await count(g, c2), await count(g, c1)]).toEqual([1, 2, 3]);
    const p = new SoftAuthenticator();
    const d1 = (await p.create(reg('a'), ORIGIN)).id;
    const d2 = (await p.create(reg('b'), ORIGIN)).id;
    expect([await count(p, d1), await count(p, d2), await count(p, d1)]).toEqual([1, 1, 2]);
  });

  it('resident capacity: full is full; the same user handle replaces its old credential', async () => {
    const k = new SoftAuthenticator({ features: { residentCapacity: 2 } });
    await k.create(reg('a'), ORIGIN);
    await k.create(reg('b'), ORIGIN);
    await expect(k.create(reg('c'), ORIGIN)).rejects.toThrow(/KEY_STORE_FULL/);
    await k.create(reg('a'), ORIGIN); // replaces account a
    expect([...k.credentials.values()].filter((c) => c.discoverable)).toHaveLength(2);
  });

  it('largeBlob: supported for resident credentials, written after UV, read back', async () => {
    const k = new SoftAuthenticator({ features: { largeBlob: true } });
    expect((await k.create(reg('a', { extensions: { largeBlob: { support: 'required' } } }), ORIGIN)).clientExtensionResults.largeBlob).toEqual({ supported: true });
    const blob = Buffer.from('vendor data').toString('base64url');
    expect((await k.get(get({ extensions: { largeBlob: { write: blob } } }), ORIGIN)).clientExtensionResults.largeBlob).toEqual({ written: true });
    expect((await k.get(get({ extensions: { largeBlob: { read: true } } }), ORIGIN)).clientExtensionResults.largeBlob).toEqual({ blob });
    expect((await k.get(get({ userVerification: 'discouraged', extensions: { largeBlob: { write: blob } } }), ORIGIN)).clientExtensionResults.largeBlob).toEqual({ written: false });
    const none = new SoftAuthenticator();
    expect((await none.create(reg('a', { extensions: { largeBlob: { support: 'preferred' } } }), ORIGIN)).clientExtensionResults.largeBlob).toEqual({ supported: false });
  });

  it('enterprise attestation: the device-unique certificate only for provisioned RP IDs', async () => {
    const batch = await ca.issueLeaf({ aaguid: '11111111-2222-4333-8444-555555555555', subject: 'C=US, O=Vendor, OU=Authenticator Attestation, CN=Batch 7' });
    const device = await ca.issueLeaf({ aaguid: '11111111-2222-4333-8444-555555555555', subject: 'C=US, O=Vendor, OU=Authenticator Attestation, CN=Device SN 0042' });
    const k = new SoftAuthenticator({ aaguid: Buffer.from('11111111222243338444555555555555', 'hex'), attestation: 'packed-full', attestationKey: batch.privateKey, x5c: [batch.der], enterprise: { rpIds: ['rp.example'], key: device.privateKey, x5c: [device.der] } });
    const subjectOf = (json: any) => new crypto.X509Certificate((parseRegistrationResponse(json).attStmt.get('x5c') as Uint8Array[])[0]!).subject;
    expect(subjectOf(await k.create(reg('a', { attestation: 'enterprise' }), ORIGIN))).toContain('Device SN 0042');
    expect(subjectOf(await k.create(reg('b', { attestation: 'direct' }), ORIGIN))).toContain('Batch 7');
    const other = await k.create({ ...reg('c', { attestation: 'enterprise' }), rp: { id: 'other.example' } }, 'https://other.example');
    expect(subjectOf(other)).toContain('Batch 7');
    const a = analyzeRegistration(parseRegistrationResponse(await k.create(reg('d', { attestation: 'enterprise' }), ORIGIN)), { challenge: 'Y2g', origins: [ORIGIN], rpId: 'rp.example', at: new Date(), roots: [new crypto.X509Certificate(ca.rootDer)] });
    expect(a).toMatchObject({ verified: true, trust: 'trusted' });
  });

  it('fido-u2f attestation verifies as such', async () => {
    const leaf = await ca.issueLeaf({ aaguid: '00000000-0000-0000-0000-000000000000', noAaguidExtension: true });
    const k = new SoftAuthenticator({ attestation: 'fido-u2f', attestationKey: leaf.privateKey, x5c: [leaf.der] });
    const json = await k.create(reg('a', { attestation: 'direct', authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' } }), ORIGIN);
    const a = analyzeRegistration(parseRegistrationResponse(json), { challenge: 'Y2g', origins: [ORIGIN], rpId: 'rp.example', at: new Date(), roots: [new crypto.X509Certificate(ca.rootDer)] });
    expect(a).toMatchObject({ verified: true, fmt: 'fido-u2f', trust: 'trusted' });
    expect(a.findings.find((f) => f.code === 'ATT_U2F_SIGNATURE')?.status).toBe('pass');
  });
});
