import crypto from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectedKey, LINKS, type Link } from '../../../test/helpers/ctapDevices.ts';
import { ClientPin, pinUvAuthParam, sha256 } from './ctap2/clientPin.ts';
import { CredentialManagement } from './ctap2/credentialManagement.ts';
import { LargeBlobs, parseLargeBlobArray, sealLargeBlob, serializeLargeBlobArray, openLargeBlob } from './ctap2/largeBlobs.ts';
import { PIN_PROTOCOL_1, PIN_PROTOCOL_2 } from './ctap2/pinProtocol.ts';
import { CtapError } from './CtapError.ts';
import { CTAP_STATUS } from './status.ts';
import { PERMISSION } from './constants.ts';
import { encodeCanonical, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { parseAuthenticatorData } from '../webauthn/parseAuthenticatorData.ts';
import { coseKeyToPublicKey, verifyCoseSignature } from '../webauthn/coseKey.ts';
import { WebAuthnClient } from '../platform/WebAuthnClient.ts';
import { parseRegistrationResponse, parseAuthenticationResponse } from '../webauthn/parseResponse.ts';
import { analyzeRegistration } from '../attestation/analyzeRegistration.ts';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import type { SoftAuthenticatorOptions } from '../emulation/SoftAuthenticator.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
async function key(link: Link, o: SoftAuthenticatorOptions = {}) {
  const k = await connectedKey(link, o);
  closers.push(k.close);
  return { ...k, ctap: k.device.ctap2!, u2f: k.device.ctap1! };
}
const status = async (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof CtapError ? e.ctapStatus : -1));
const RP = 'ctap.example';
const cdh = () => new Uint8Array(crypto.randomBytes(32));
const mc = (user: string, extra: Record<string, unknown> = {}) => ({ clientDataHash: cdh(), rp: { id: RP, name: 'CTAP test' }, user: { id: new TextEncoder().encode(user), name: user }, pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }], ...extra });

let ca: AttestationCa;
beforeAll(async () => {
  ca = await AttestationCa.create();
});

for (const link of LINKS) {
  describe(`CTAP2 and CTAP1 commands against the software key (${link})`, () => {
    it('getInfo: every member decoded, nothing unknown, no problems, canonical', async () => {
      const { device } = await key(link, { aaguid: new Uint8Array(16).fill(0xab), features: { largeBlob: true, credBlob: true, minPinLength: 6 } });
      const i = device.info!;
      expect(i.versions).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_2', 'FIDO_2_3']);
      expect(i.extensions).toEqual(['credBlob', 'credProtect', 'hmac-secret', 'largeBlobKey', 'minPinLength']);
      expect(i.aaguidText).toBe('abababab-abab-abab-abab-abababababab');
      expect(i.options).toMatchObject({ rk: true, up: true, uv: true, clientPin: false, credMgmt: true, largeBlobs: true, pinUvAuthToken: true });
      expect(i).toMatchObject({ maxMsgSize: 1200, pinUvAuthProtocols: [2, 1], maxCredentialCountInList: 8, maxCredentialIdLength: 128, transports: ['usb'], maxSerializedLargeBlobArray: 1024, minPINLength: 6, maxCredBlobLength: 32, remainingDiscoverableCredentials: 25 });
      expect(i.algorithms.map((a) => a.alg)).toEqual([-7, -8, -257]);
      expect([i.problems, i.nonCanonical, Object.keys(i.unknown)]).toEqual([[], [], []]);
    });

    it('makeCredential, getAssertion, getNextAssertion: two accounts on one RP, signatures verify', async () => {
      const { ctap } = await key(link);
      const a = await ctap.makeCredential(mc('alice', { options: { rk: true, uv: true } }));
      const b = await ctap.makeCredential(mc('bob', { options: { rk: true, uv: true } }));
      expect([a.fmt, b.fmt]).toEqual(['none', 'none']);
      const keyOf = (r: typeof a) => coseKeyToPublicKey(parseAuthenticatorData(r.authData).attestedCredentialData!.publicKey);
      const hash = cdh();
      const first = await ctap.getAssertion({ rpId: RP, clientDataHash: hash, options: { uv: true } });
      expect(first.numberOfCredentials).toBe(2);
      const second = await ctap.getNextAssertion();
      const users = [first, second].map((x) => new TextDecoder().decode(x.user!.id)).sort();
      expect(users).toEqual(['alice', 'bob']);
      for (const x of [first, second]) {
        const k = new TextDecoder().decode(x.user!.id) === 'alice' ? keyOf(a) : keyOf(b);
        expect(verifyCoseSignature(-7, k.keyObject, Uint8Array.from([...x.authData, ...hash]), x.signature)).toBe(true);
      }
      expect(await status(ctap.getNextAssertion())).toBe(CTAP_STATUS.CTAP2_ERR_NOT_ALLOWED);
      expect(await status(ctap.getAssertion({ rpId: 'other.example', clientDataHash: cdh() }))).toBe(CTAP_STATUS.CTAP2_ERR_NO_CREDENTIALS);
      // excludeList: a credential for this RP already on the key
      expect(await status(ctap.makeCredential(mc('carol', { excludeList: [{ type: 'public-key', id: parseAuthenticatorData(a.authData).attestedCredentialData!.credentialId }] })))).toBe(CTAP_STATUS.CTAP2_ERR_CREDENTIAL_EXCLUDED);
      // missing parameters and an unknown command, by name
      expect(await status(ctap.call(0x01, new Map<number, CanonicalValue>([[1, cdh()]])))).toBe(CTAP_STATUS.CTAP2_ERR_MISSING_PARAMETER);
      expect(await status(ctap.call(0x55, undefined))).toBe(CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND);
      expect((await ctap.raw(0x01, Uint8Array.of(0xff))).status).toBe(CTAP_STATUS.CTAP2_ERR_INVALID_CBOR);
      // parameters that are not a map: nothing to read parameters from (CTAP 2.1 §8)
      expect((await ctap.raw(0x01, encodeCanonical([1, 2]))).status).toBe(CTAP_STATUS.CTAP2_ERR_INVALID_CBOR);
    });

    for (const protocol of [PIN_PROTOCOL_1, PIN_PROTOCOL_2]) {
      it(`clientPIN with protocol ${protocol.version}: a token that signs requests; a wrong PIN costs a retry, the right one restores them`, async () => {
        const { ctap } = await key(link, { features: { uv: false, clientPin: { pin: '2468', retries: 8 } } });
        const cp = new ClientPin(ctap, protocol);
        expect((await cp.getRetries()).retries).toBe(8);
        expect(await status(cp.tokenUsingPin('1111', PERMISSION.mc, RP))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_INVALID);
        expect((await cp.getRetries()).retries).toBe(7);
        const t = await cp.tokenUsingPin('2468', PERMISSION.mc | PERMISSION.ga, RP);
        expect((await cp.getRetries()).retries).toBe(8);
        const p = mc('pinned', { options: { rk: true } });
        const r = await ctap.makeCredential({ ...p, pinUvAuthParam: pinUvAuthParam(t, p.clientDataHash), pinUvAuthProtocol: protocol.version });
        expect(parseAuthenticatorData(r.authData).flags.UV).toBe(true);
        // a forged pinUvAuthParam, and a token used for another RP
        expect(await status(ctap.makeCredential({ ...p, pinUvAuthParam: new Uint8Array(protocol.version === 1 ? 16 : 32), pinUvAuthProtocol: protocol.version }))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_AUTH_INVALID);
        const q = { ...mc('x'), rp: { id: 'elsewhere.example' } };
        expect(await status(ctap.makeCredential({ ...q, pinUvAuthParam: pinUvAuthParam(t, q.clientDataHash), pinUvAuthProtocol: protocol.version }))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_AUTH_INVALID);
        // with a PIN set, a resident credential needs one
        expect(await status(ctap.makeCredential(mc('nopin', { options: { rk: true } })))).toBe(CTAP_STATUS.CTAP2_ERR_PUAT_REQUIRED);
      });
    }

    it('setPIN on a key without one, then changePIN; three wrong PINs in a row need a power cycle', async () => {
      const { ctap, key: k } = await key(link, { features: { uv: false } });
      const cp = new ClientPin(ctap, PIN_PROTOCOL_2);
      expect(await status(cp.tokenUsingPin('1234', PERMISSION.ga))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_NOT_SET);
      await cp.setPin('1234');
      expect(await status(cp.setPin('5678'))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_AUTH_INVALID); // already set
      await cp.changePin('1234', '98765');
      await cp.tokenUsingPin('98765', PERMISSION.ga);
      for (let i = 0; i < 2; i++) expect(await status(cp.tokenUsingPin('0000', PERMISSION.ga))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_INVALID);
      expect(await status(cp.tokenUsingPin('0000', PERMISSION.ga))).toBe(CTAP_STATUS.CTAP2_ERR_PIN_AUTH_BLOCKED);
      k.device.powerCycle();
      await cp.tokenUsingPin('98765', PERMISSION.ga);
      expect(k.retriesLeft).toBe(8);
    });

    it('credential management: metadata, RPs, credentials (both accounts), delete', async () => {
      const { ctap, device } = await key(link);
      await ctap.makeCredential(mc('alice', { options: { rk: true, uv: true } }));
      await ctap.makeCredential(mc('bob', { options: { rk: true, uv: true } }));
      await ctap.makeCredential({ ...mc('eve', { options: { rk: true, uv: true } }), rp: { id: 'second.example' } });
      await ctap.makeCredential(mc('plain'));
      const token = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.cm);
      const cm = new CredentialManagement(ctap, token, device.info!);
      expect(await cm.metadata()).toEqual({ existing: 3, remaining: 22 });
      const rps = await cm.rps();
      expect(rps.map((r) => r.rp.id).sort()).toEqual(['ctap.example', 'second.example']);
      const creds = await cm.credentials(sha256(new TextEncoder().encode(RP)));
      expect(creds.map((c) => c.user.name).sort()).toEqual(['alice', 'bob']);
      await cm.delete(creds[0]!.credentialId);
      expect((await cm.credentials(sha256(new TextEncoder().encode(RP)))).length).toBe(1);
      expect(await status(cm.delete(creds[0]!.credentialId))).toBe(CTAP_STATUS.CTAP2_ERR_NO_CREDENTIALS);
      // without a token (or with one lacking the cm permission) it is refused
      const ga = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.ga);
      expect(await status(new CredentialManagement(ctap, ga, device.info!).metadata())).toBe(CTAP_STATUS.CTAP2_ERR_PIN_AUTH_INVALID);
    });

    it('largeBlobs: the serialized array read, written with an lbw token, read back', async () => {
      const { ctap, device } = await key(link, { features: { largeBlob: true } });
      const blobs = new LargeBlobs(ctap, device.info!.maxMsgSize);
      expect(parseLargeBlobArray(await blobs.read())).toEqual([]);
      const lbk = new Uint8Array(crypto.randomBytes(32));
      const token = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.lbw);
      await blobs.write(serializeLargeBlobArray([sealLargeBlob(lbk, new TextEncoder().encode('x'.repeat(900)))]), token);
      const back = parseLargeBlobArray(await blobs.read());
      expect(new TextDecoder().decode(openLargeBlob(lbk, back[0]!))).toBe('x'.repeat(900));
      expect(openLargeBlob(new Uint8Array(32), back[0]!)).toBeUndefined();
    });

    it('selection waits for a touch; reset is refused unless asked for in so many words', async () => {
      const { ctap } = await key(link);
      await ctap.selection();
      await expect(ctap.reset({} as { allowReset: true })).rejects.toThrow(/allowReset/);
      await ctap.makeCredential(mc('gone', { options: { rk: true, uv: true } }));
      await ctap.reset({ allowReset: true });
      expect(await status(ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true } }))).toBe(CTAP_STATUS.CTAP2_ERR_NO_CREDENTIALS);
    });

    it('CTAP1/U2F: version, register and authenticate (signatures verify); a U2F credential through CTAP2; a CTAP2 credential through U2F', async () => {
      const leaf = await ca.issueLeaf({ aaguid: '00000000-0000-0000-0000-000000000000', noAaguidExtension: true });
      const { ctap, u2f } = await key(link, { attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der] });
      expect(await u2f.version()).toBe('U2F_V2');
      const app = sha256(new TextEncoder().encode(RP));
      const chal = cdh();
      const reg = await u2f.register(chal, app);
      expect(new crypto.X509Certificate(reg.certificate).subject).toContain('Authenticator Attestation');
      expect(crypto.verify('sha256', Uint8Array.from([0, ...app, ...chal, ...reg.keyHandle, ...reg.publicKey]), leaf.privateKey, reg.signature)).toBe(true);
      const pub = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(reg.publicKey.subarray(1, 33)).toString('base64url'), y: Buffer.from(reg.publicKey.subarray(33)).toString('base64url') }, format: 'jwk' });
      const auth = await u2f.authenticate(chal, app, reg.keyHandle);
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(auth.counter);
      expect(auth.userPresence).toBe(1);
      expect(crypto.verify('sha256', Uint8Array.from([...app, 1, ...counter, ...chal]), pub, auth.signature)).toBe(true);
      // the U2F credential through CTAP2 getAssertion (rpIdHash = application parameter)
      const hash = cdh();
      const ga = await ctap.getAssertion({ rpId: RP, clientDataHash: hash, allowList: [{ type: 'public-key', id: reg.keyHandle }] });
      expect(crypto.verify('sha256', Uint8Array.from([...ga.authData, ...hash]), pub, ga.signature)).toBe(true);
      // a non-discoverable ES256 CTAP2 credential through U2F_AUTHENTICATE
      const made = await ctap.makeCredential(mc('u2f-interop'));
      const acd = parseAuthenticatorData(made.authData).attestedCredentialData!;
      const a2 = await u2f.authenticate(chal, app, acd.credentialId);
      const c2 = Buffer.alloc(4);
      c2.writeUInt32BE(a2.counter);
      expect(crypto.verify('sha256', Uint8Array.from([...app, 1, ...c2, ...chal]), coseKeyToPublicKey(acd.publicKey).keyObject, a2.signature)).toBe(true);
      // a key handle of another application: SW_WRONG_DATA
      await expect(u2f.authenticate(chal, sha256(new TextEncoder().encode('other.example')), reg.keyHandle)).rejects.toMatchObject({ sw: 0x6a80 });
    });

    it('a U2F-only key through the WebAuthn client: fido-u2f attestation that the fido-u2f verifier accepts, and a sign-in', async () => {
      const leaf = await ca.issueLeaf({ aaguid: '00000000-0000-0000-0000-000000000000', noAaguidExtension: true });
      const { device } = await key(link, { attestation: 'packed-full', attestationKey: leaf.privateKey, x5c: [leaf.der], features: { ctap: 'u2f-only' } });
      expect(device.ctap2).toBeUndefined();
      const client = new WebAuthnClient({ device });
      const origin = `https://${RP}`;
      const reg = await client.create({ challenge: 'dTJm', attestation: 'direct', rp: { id: RP }, user: { id: 'dQ' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { userVerification: 'discouraged' } }, origin);
      const a = analyzeRegistration(parseRegistrationResponse(reg), { challenge: 'dTJm', origins: [origin], rpId: RP, at: new Date(), roots: [new crypto.X509Certificate(ca.rootDer)] });
      expect(a).toMatchObject({ verified: true, fmt: 'fido-u2f', trust: 'trusted' });
      expect(a.findings.find((f) => f.code === 'ATT_U2F_SIGNATURE')?.status).toBe('pass');
      const got = parseAuthenticationResponse(await client.get({ challenge: 'Zw', rpId: RP, userVerification: 'discouraged', allowCredentials: [{ id: reg.id, type: 'public-key' }] }, origin));
      const k = coseKeyToPublicKey(parseRegistrationResponse(reg).authData.attestedCredentialData!.publicKey);
      expect(verifyCoseSignature(-7, k.keyObject, Uint8Array.from([...got.authData.bytes, ...sha256(got.clientDataJSON)]), got.signature)).toBe(true);
      await expect(client.create({ challenge: 'eA', rp: { id: RP }, user: { id: 'dQ' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required' } }, origin)).rejects.toMatchObject({ domName: 'NotSupportedError' });
    });

    it('hmac-secret through CTAP equals PRF through the WebAuthn client; outputs differ with and without UV', async () => {
      const { ctap, device } = await key(link);
      const client = new WebAuthnClient({ device });
      const origin = `https://${RP}`;
      const reg = await client.create({ challenge: 'cHJm', rp: { id: RP }, user: { id: 'dQ' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' }, extensions: { prf: {} } }, origin);
      expect(reg.clientExtensionResults.prf).toEqual({ enabled: true });
      const salt = crypto.randomBytes(32);
      const viaClient = (await client.get({ challenge: 'cHJm', rpId: RP, userVerification: 'required', allowCredentials: [{ id: reg.id, type: 'public-key' }], extensions: { prf: { eval: { first: salt.toString('base64url') } } } }, origin)).clientExtensionResults.prf.results.first;
      const direct = async (uv: boolean) => {
        const ka = await new ClientPin(ctap, PIN_PROTOCOL_2).keyAgreement();
        const s = sha256(Uint8Array.from([...new TextEncoder().encode('WebAuthn PRF\x00'), ...salt]));
        const saltEnc = PIN_PROTOCOL_2.encrypt(ka.sharedSecret, s);
        const r = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), allowList: [{ type: 'public-key', id: Buffer.from(reg.id, 'base64url') }], options: { uv }, extensions: new Map([['hmac-secret', new Map<number, CanonicalValue>([[1, ka.keyAgreement as Map<number, CanonicalValue>], [2, saltEnc], [3, PIN_PROTOCOL_2.authenticate(ka.sharedSecret, saltEnc)], [4, 2]])]]) });
        return Buffer.from(PIN_PROTOCOL_2.decrypt(ka.sharedSecret, parseAuthenticatorData(r.authData).extensions!.get('hmac-secret') as Uint8Array)).toString('base64url');
      };
      expect(await direct(true)).toBe(viaClient);
      expect(await direct(false)).not.toBe(viaClient);
    });
  });
}
