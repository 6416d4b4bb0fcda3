import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connectedKey, LINKS, type Link } from '../../../test/helpers/ctapDevices.ts';
import { ClientPin, obtainToken, pinUvAuthParam, sha256 } from './ctap2/clientPin.ts';
import { CredentialManagement } from './ctap2/credentialManagement.ts';
import { AuthenticatorConfig } from './ctap2/config.ts';
import { BioEnrollment } from './ctap2/bioEnrollment.ts';
import { decryptInfoMember } from './ctap2/getInfo.ts';
import { chooseVerification } from './ctap2/chooseVerification.ts';
import { hmacSecret } from './ctap2/extensions/hmacSecret.ts';
import { hmacSecretMc } from './ctap2/extensions/hmacSecretMc.ts';
import { thirdPartyPayment } from './ctap2/extensions/thirdPartyPayment.ts';
import { largeBlob } from './ctap2/extensions/largeBlob.ts';
import { PIN_PROTOCOL_1, PIN_PROTOCOL_2 } from './ctap2/pinProtocol.ts';
import { CtapError } from './CtapError.ts';
import { CTAP_STATUS as S } from './status.ts';
import { CTAP2, ENROLL_FEEDBACK, PERMISSION } from './constants.ts';
import { encodeCanonical, type CanonicalValue } from '../cbor/encodeCanonical.ts';
import { parseAuthenticatorData } from '../webauthn/parseAuthenticatorData.ts';
import { WebAuthnClient } from '../platform/WebAuthnClient.ts';
import type { SoftAuthenticatorOptions } from '../emulation/SoftAuthenticator.ts';

/**
 * The CTAP 2.3 commands and rules of the software key, driven by the harness's own CTAP client,
 * in this process and over a real UDP socket: what the key must answer, status by status, with
 * the clause of CTAP 2.3 (or 2.1, where 2.3 keeps it) in each test's name.
 */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
async function key(link: Link, o: SoftAuthenticatorOptions = {}) {
  const k = await connectedKey(link, o);
  closers.push(k.close);
  return { ...k, ctap: k.device.ctap2! };
}
const status = async (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof CtapError ? e.ctapStatus : -1));
const RP = 'ctap23.example';
const cdh = () => new Uint8Array(crypto.randomBytes(32));
const te = new TextEncoder();
const mcParams = (user: string, extra: Record<number, CanonicalValue> = {}) =>
  new Map<number, CanonicalValue>([[0x01, cdh()], [0x02, { id: RP, name: 'x' }], [0x03, { id: te.encode(user), name: user }], [0x04, [{ type: 'public-key', alg: -7 }]], ...Object.entries(extra).map(([k, v]) => [Number(k), v] as [number, CanonicalValue])]);
const PIN = '24681357';

for (const link of LINKS) {
  describe(`CTAP 2.3 software key (${link})`, () => {
    it('§6.1.2 step 1: a zero-length pinUvAuthParam asks for a touch, then PIN_NOT_SET / PIN_INVALID', async () => {
      const { ctap, key: k } = await key(link, { features: { uv: false } });
      expect(await status(ctap.call(CTAP2.makeCredential, mcParams('z', { 0x08: new Uint8Array(), 0x09: 2 })))).toBe(S.CTAP2_ERR_PIN_NOT_SET);
      await new ClientPin(ctap, PIN_PROTOCOL_2).setPin(PIN);
      expect(await status(ctap.call(CTAP2.getAssertion, new Map<number, CanonicalValue>([[0x01, RP], [0x02, cdh()], [0x06, new Uint8Array()], [0x07, 2]])))).toBe(S.CTAP2_ERR_PIN_INVALID);
      expect(k.retriesLeft).toBe(8); // the probe costs no retry
    });

    it('§6.1.2 step 3 and §6.1: malformed pubKeyCredParams, rp, user and descriptors are refused with the status CTAP names; unknown types and options are not', async () => {
      const { ctap } = await key(link);
      const call = (m: Map<number, CanonicalValue>) => status(ctap.call(CTAP2.makeCredential, m));
      expect(await call(mcParams('a', { 0x04: [{ alg: -7 }] }))).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect(await call(mcParams('a', { 0x04: [{ type: 'public-key' }] }))).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect(await call(mcParams('a', { 0x04: [{ type: 'public-key', alg: '-7' }] }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x04: ['wrong'] }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x04: [{ type: 'public-key', alg: 1337 }] }))).toBe(S.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
      expect(await call(mcParams('a', { 0x04: [{ type: 'future-key', foo: 1 }, { type: 'public-key', alg: -7 }] }))).toBe(0);
      expect(await call(mcParams('a', { 0x02: { id: RP, name: 8 } }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x02: { id: RP, icon: 8 } }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x03: { id: 'text-id', name: 'a' } }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x03: { name: 'a' } }))).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect(await call(mcParams('a', { 0x05: [{ id: Uint8Array.of(1) }] }))).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect(await call(mcParams('a', { 0x05: [{ type: 'public-key', id: '1234' }] }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x05: ['1234'] }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x05: [{ type: 'rot13', id: Uint8Array.of(1, 2, 3, 4) }] }))).toBe(0);
      expect(await call(mcParams('a', { 0x07: { unknown: false } }))).toBe(0);
      expect(await call(mcParams('a', { 0x07: { rk: 'yes' } }))).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(await call(mcParams('a', { 0x07: { up: false } }))).toBe(S.CTAP2_ERR_INVALID_OPTION);
      expect(await call(mcParams('a', { 0x08: new Uint8Array(32) }))).toBe(S.CTAP2_ERR_MISSING_PARAMETER); // pinUvAuthParam without its protocol
      expect(await call(mcParams('a', { 0x08: new Uint8Array(32), 0x09: 7 }))).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
      // getAssertion: rk is not an option of getAssertion (§6.2.2 step 4.4)
      expect(await status(ctap.call(CTAP2.getAssertion, new Map<number, CanonicalValue>([[0x01, RP], [0x02, cdh()], [0x05, { rk: true }]])))).toBe(S.CTAP2_ERR_UNSUPPORTED_OPTION);
      expect(await status(ctap.call(CTAP2.getAssertion, new Map<number, CanonicalValue>([[0x01, RP], [0x02, cdh()], [0x03, [{ type: 'public-key' }]]])))).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      // CBOR that is not one well-formed map: CTAP2_ERR_INVALID_CBOR (indefinite lengths too)
      for (const bad of [Uint8Array.of(0xa1, 0x01), Uint8Array.of(0xbf, 0x01, 0x58, 0x00, 0xff), Uint8Array.of(0xa0, 0x00), Uint8Array.of(0x80)]) expect((await ctap.raw(CTAP2.makeCredential, bad)).status).toBe(S.CTAP2_ERR_INVALID_CBOR);
    });

    it('§6.2.2 step 7.6: no credentials is answered before any touch; numberOfCredentials only without an allowList; names only with UV', async () => {
      const { ctap, key: k } = await key(link);
      let touches = 0;
      const call = { onKeepalive: (s: number) => (s === 2 ? touches++ : undefined) };
      expect(await status(ctap.getAssertion({ rpId: 'nobody.example', clientDataHash: cdh() }, call))).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
      expect(touches).toBe(0);
      const a = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('a'), name: 'alice', displayName: 'Alice' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true } });
      const b = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('b'), name: 'bob' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true } });
      const ids = [a, b].map((r) => parseAuthenticatorData(r.authData).attestedCredentialData!.credentialId);
      const withList = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), allowList: ids.map((id) => ({ type: 'public-key' as const, id })) });
      expect(withList.numberOfCredentials).toBeUndefined();
      const noUv = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { up: false } });
      expect(noUv.numberOfCredentials).toBe(2);
      expect(noUv.user?.name).toBeUndefined();
      const uv = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true } });
      expect(uv.user?.name).toBe('bob'); // the newest first (§6.2.2 step 12.2.1)
      // any other command in between forgets the remembered request (§6.3)
      await ctap.getInfo();
      expect(await status(ctap.getNextAssertion())).toBe(S.CTAP2_ERR_NOT_ALLOWED);
      void k;
    });

    it('§6.5.5.7 step 9.1.2: three wrong PINs block PIN entry until a power cycle; no retry is spent meanwhile; retries persist; the token is new after it', async () => {
      const { ctap, key: k, device } = await key(link, { features: { uv: false, clientPin: { pin: PIN } } });
      const cp = new ClientPin(ctap, PIN_PROTOCOL_2);
      const token = await cp.tokenUsingPin(PIN, PERMISSION.ga, RP);
      for (let i = 0; i < 2; i++) expect(await status(cp.tokenUsingPin('0000', PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_INVALID);
      expect(await status(cp.tokenUsingPin('0000', PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      expect(await cp.getRetries()).toEqual({ retries: 5, powerCycleState: true });
      expect(await status(cp.tokenUsingPin(PIN, PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      expect(await status(cp.tokenUsingPin('0000', PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
      expect(k.retriesLeft).toBe(5);
      await device.powerCycle();
      expect(device.powerCycles).toBe(1);
      expect(await new ClientPin(device.ctap2!, PIN_PROTOCOL_2).getRetries()).toEqual({ retries: 5, powerCycleState: false });
      // the token issued before the power cycle is gone (§6.5.2.1: a new one at power-up)
      const hash = cdh();
      expect(await status(device.ctap2!.getAssertion({ rpId: RP, clientDataHash: hash, pinUvAuthParam: pinUvAuthParam(token, hash), pinUvAuthProtocol: 2 }))).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      await new ClientPin(device.ctap2!, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.ga, RP);
      expect(k.retriesLeft).toBe(8);
    });

    it('§6.5.2.1 and §6.1.2 step 14.4: a token serves one request that tests presence; permissions and RP ID are enforced; UNAUTHORIZED_PERMISSION for what the key lacks', async () => {
      const { ctap } = await key(link, { features: { uv: false, clientPin: { pin: PIN } } });
      const cp = new ClientPin(ctap, PIN_PROTOCOL_1);
      const t = await cp.tokenUsingPin(PIN, PERMISSION.mc | PERMISSION.ga, RP);
      const first = mcParams('one');
      const sign = (m: Map<number, CanonicalValue>) => {
        m.set(0x08, pinUvAuthParam(t, m.get(0x01) as Uint8Array));
        m.set(0x09, 1);
        return m;
      };
      expect(await status(ctap.call(CTAP2.makeCredential, sign(first)))).toBe(0);
      expect(await status(ctap.call(CTAP2.makeCredential, sign(mcParams('two'))))).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      const ga = await cp.tokenUsingPin(PIN, PERMISSION.ga, RP);
      const m = mcParams('three');
      m.set(0x08, pinUvAuthParam(ga, m.get(0x01) as Uint8Array));
      m.set(0x09, 1);
      expect(await status(ctap.call(CTAP2.makeCredential, m))).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      expect(await status(cp.tokenUsingPin(PIN, PERMISSION.be))).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
      expect(await status(cp.tokenUsingPin(PIN, PERMISSION.lbw))).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
      expect(await status(cp.tokenUsingPin(PIN, PERMISSION.pcmr | PERMISSION.cm))).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
      expect(await status(cp.tokenUsingPin(PIN, 0))).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    });

    it('§6.5.5.5: setPIN policy: at least minPINLength code points, at most 63 bytes and maxPINLength, a 64-byte padded PIN; complexity when on', async () => {
      const { ctap } = await key(link, { features: { uv: false, clientPin: null as never, pinComplexityPolicy: 'on', maxPinLength: 12 } });
      const cp = new ClientPin(ctap, PIN_PROTOCOL_2);
      const raw = async (padded: Uint8Array) => {
        const ka = await cp.keyAgreement();
        const enc = PIN_PROTOCOL_2.encrypt(ka.sharedSecret, padded);
        return status(ctap.call(CTAP2.clientPIN, new Map<number, CanonicalValue>([[1, 2], [2, 3], [3, ka.keyAgreement as Map<number, CanonicalValue>], [4, PIN_PROTOCOL_2.authenticate(ka.sharedSecret, enc)], [5, enc]])));
      };
      const pad = (pin: string, n = 64) => Uint8Array.from({ length: n }, (_, i) => te.encode(pin)[i] ?? 0);
      expect(await raw(pad('1357', 32))).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
      expect(await raw(pad('135'))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      expect(await raw(pad('1234567890123'))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION); // over maxPINLength
      expect(await raw(pad('1111'))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION); // complexity
      expect(await raw(pad('4321'))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      expect(await raw(pad('1357'))).toBe(0);
      expect(ctap.info.options.clientPin).toBe(false); // the raw call does not read getInfo again…
      await ctap.getInfo();
      expect(ctap.info.options.clientPin).toBe(true);
      expect(ctap.info.maxPINLength).toBe(12);
      expect(ctap.info.pinComplexityPolicy).toBe(true);
    });

    it('§6.11 authenticatorConfig: toggleAlwaysUv, setMinPINLength (never lower; forcePINChange), enterprise attestation; signed with acfg once protected; getInfo read again', async () => {
      const { ctap } = await key(link, { features: { uv: false, clientPin: { pin: PIN }, minPinLength: 4, minPinLengthRpIds: [] } });
      const cp = new ClientPin(ctap, PIN_PROTOCOL_2);
      expect(await status(new AuthenticatorConfig(ctap).toggleAlwaysUv())).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
      const noAcfg = await cp.tokenUsingPin(PIN, PERMISSION.ga, RP);
      expect(await status(new AuthenticatorConfig(ctap, noAcfg).toggleAlwaysUv())).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      const cfg = new AuthenticatorConfig(ctap, await cp.tokenUsingPin(PIN, PERMISSION.acfg));
      await cfg.toggleAlwaysUv();
      expect(ctap.info.options.alwaysUv).toBe(true);
      expect(ctap.info.options.makeCredUvNotRqd).toBe(false);
      expect(ctap.info.versions).not.toContain('U2F_V2');
      // alwaysUv: even a non-discoverable credential needs the token now (§6.1.2 step 6)
      expect(await status(ctap.call(CTAP2.makeCredential, mcParams('x')))).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
      await cfg.toggleAlwaysUv();
      expect(ctap.info.options.alwaysUv).toBe(false);
      await cfg.setMinPinLength({ newMinPINLength: 6, minPinLengthRPIDs: [RP] });
      expect(ctap.info.minPINLength).toBe(6);
      expect(await status(cfg.setMinPinLength({ newMinPINLength: 5 }))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      // the PIN (8 code points) is long enough; a forced change makes every token wait for a new PIN
      await cfg.setMinPinLength({ forceChangePin: true });
      expect(ctap.info.forcePINChange).toBe(true);
      expect(await status(cp.tokenUsingPin(PIN, PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      expect(await status(cp.changePin(PIN, PIN))).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      await cp.changePin(PIN, '97531864');
      expect(ctap.info.forcePINChange).toBe(false);
      expect(await status(new AuthenticatorConfig(ctap, await cp.tokenUsingPin('97531864', PERMISSION.acfg)).enableEnterpriseAttestation())).toBe(S.CTAP1_ERR_INVALID_PARAMETER); // this key has no enterprise attestation
      // a vendorPrototype command the key does not know
      expect(await status(new AuthenticatorConfig(ctap, await cp.tokenUsingPin('97531864', PERMISSION.acfg)).vendorPrototype(7))).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    });

    it('§6.7 bio enrollment: sensor info, enrollment with sample feedback, enumerate, rename, remove; uv follows the fingers', async () => {
      const { ctap, key: k } = await key(link, { features: { uv: true, bioEnrollment: { templates: 0, samplesPerEnroll: 3 }, clientPin: { pin: PIN } } });
      expect(ctap.info.options).toMatchObject({ uv: false, bioEnroll: false, uvBioEnroll: true });
      const be = async () => new BioEnrollment(ctap, await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.be), ctap.info);
      const bio = await be();
      expect(await bio.modality()).toBe(1);
      expect(await bio.sensorInfo()).toEqual({ fingerprintKind: 1, maxCaptureSamplesRequiredForEnroll: 3, maxTemplateFriendlyName: 64 });
      expect(await bio.enumerate()).toEqual([]);
      expect(await status(new BioEnrollment(ctap, undefined, ctap.info).enrollBegin())).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
      k.device.enrollSamples.push(ENROLL_FEEDBACK.FP_TOO_FAST);
      const first = await bio.enrollBegin();
      expect(first).toMatchObject({ lastEnrollSampleStatus: ENROLL_FEEDBACK.FP_TOO_FAST, remainingSamples: 3 });
      expect((await bio.enrollCaptureNextSample(first.templateId!)).remainingSamples).toBe(2);
      expect((await bio.enrollCaptureNextSample(first.templateId!)).remainingSamples).toBe(1);
      // another template ID than the one being enrolled (IDs are random bytes: never the same one)
      expect(await status(bio.enrollCaptureNextSample(Uint8Array.of(first.templateId![0]! ^ 0xff)))).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
      expect((await bio.enrollCaptureNextSample(first.templateId!)).remainingSamples).toBe(0);
      expect(ctap.info.options).toMatchObject({ uv: true, bioEnroll: true });
      await bio.setFriendlyName(first.templateId!, 'right index');
      expect(await bio.enumerate()).toEqual([{ templateId: first.templateId, name: 'right index' }]);
      // the finger verifies the user; a finger that does not match costs a UV retry
      const uv = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.ga, RP);
      expect(uv.token.length).toBe(32);
      k.device.fingers.next.push('nomatch');
      expect(await status(new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.ga, RP))).toBe(S.CTAP2_ERR_UV_INVALID);
      expect(await new ClientPin(ctap, PIN_PROTOCOL_2).getUvRetries()).toBe(7);
      expect(await status((await be()).remove(Uint8Array.of(first.templateId![0]! ^ 0xff)))).toBe(S.CTAP2_ERR_INVALID_OPTION);
      await (await be()).remove(first.templateId!);
      expect(ctap.info.options).toMatchObject({ uv: false, bioEnroll: false });
      expect(await status(new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingUv(PERMISSION.ga, RP))).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    });

    it('CTAP 2.2 persistent token (pcmr): read-only credential management across a power cycle; encIdentifier and encCredStoreState decrypt with it', async () => {
      const { ctap, device } = await key(link, { features: { uv: false, clientPin: { pin: PIN } } });
      expect(ctap.info.options.perCredMgmtRO).toBe(true);
      const ppuat = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.pcmr);
      const id1 = decryptInfoMember(ppuat.token, 'encIdentifier', ctap.info.encIdentifier!);
      const state1 = decryptInfoMember(ppuat.token, 'encCredStoreState', ctap.info.encCredStoreState!);
      await ctap.getInfo();
      expect(Buffer.from(decryptInfoMember(ppuat.token, 'encIdentifier', ctap.info.encIdentifier!))).toEqual(Buffer.from(id1));
      expect(Buffer.from(ctap.info.encIdentifier!)).not.toEqual(Buffer.from(ctap.info.encCredStoreState!));
      const mc = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.mc, RP);
      const p = mcParams('kept', { 0x07: { rk: true } });
      p.set(0x08, pinUvAuthParam(mc, p.get(0x01) as Uint8Array));
      p.set(0x09, 2);
      await ctap.call(CTAP2.makeCredential, p);
      await ctap.getInfo();
      expect(Buffer.from(decryptInfoMember(ppuat.token, 'encCredStoreState', ctap.info.encCredStoreState!))).not.toEqual(Buffer.from(state1));
      await device.powerCycle();
      const cm = new CredentialManagement(device.ctap2!, ppuat, device.info!);
      expect((await cm.metadata()).existing).toBe(1);
      const creds = await cm.credentials(sha256(te.encode(RP)));
      expect(creds.map((c) => c.user.name)).toEqual(['kept']);
      expect(await status(cm.delete(creds[0]!.credentialId))).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      // a PIN change ends the persistent token
      await new ClientPin(device.ctap2!, PIN_PROTOCOL_2).changePin(PIN, '86427531');
      expect(await status(cm.metadata())).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    });

    it('CTAP 2.3 §12.8 hmac-secret-mc: the same outputs at makeCredential as getAssertion gives later; the WebAuthn client turns prf at create into it', async () => {
      const { ctap, device } = await key(link, { features: { hmacSecretMc: true } });
      expect(hmacSecretMc.supported(ctap.info)).toBe(true);
      const salt = new Uint8Array(crypto.randomBytes(32));
      const s1 = await hmacSecret.session(ctap, PIN_PROTOCOL_2);
      const made = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('m') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { uv: true }, extensions: new Map<string, CanonicalValue>([['hmac-secret', true], ['hmac-secret-mc', hmacSecretMc.input(s1, [salt])]]) });
      const ad = parseAuthenticatorData(made.authData);
      const atCreate = hmacSecretMc.outputs(s1, ad.extensions?.get('hmac-secret-mc'))!;
      const s2 = await hmacSecret.session(ctap, PIN_PROTOCOL_1);
      const ga = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true }, allowList: [{ type: 'public-key', id: ad.attestedCredentialData!.credentialId }], extensions: new Map([['hmac-secret', hmacSecret.input(s2, [salt])]]) });
      const later = hmacSecret.outputs(s2, parseAuthenticatorData(ga.authData).extensions?.get('hmac-secret'))!;
      expect(Buffer.from(atCreate.output1)).toEqual(Buffer.from(later.output1));
      // hmac-secret-mc alone (without hmac-secret: true) is ignored
      const s3 = await hmacSecret.session(ctap, PIN_PROTOCOL_2);
      const alone = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('n') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], extensions: new Map<string, CanonicalValue>([['hmac-secret-mc', hmacSecretMc.input(s3, [salt])]]) });
      expect(parseAuthenticatorData(alone.authData).extensions).toBeUndefined();
      const client = new WebAuthnClient({ device });
      const reg = await client.create({ challenge: 'Yw', rp: { id: RP }, user: { id: 'dQ' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { userVerification: 'required' }, extensions: { prf: { eval: { first: Buffer.from('one').toString('base64url') } } } }, `https://${RP}`);
      expect(reg.clientExtensionResults.prf.enabled).toBe(true);
      expect(reg.clientExtensionResults.prf.results.first).toMatch(/^[\w-]{43}$/);
      const got = await client.get({ challenge: 'Yw', rpId: RP, userVerification: 'required', allowCredentials: [{ id: reg.id, type: 'public-key' }], extensions: { prf: { eval: { first: Buffer.from('one').toString('base64url') } } } }, `https://${RP}`);
      expect(got.clientExtensionResults.prf.results.first).toBe(reg.clientExtensionResults.prf.results.first);
    });

    it('§12.7: hmac-secret input without saltEnc or saltAuth is CTAP2_ERR_MISSING_PARAMETER; a silent request (up=false) is CTAP2_ERR_UNSUPPORTED_OPTION', async () => {
      const { ctap } = await key(link);
      const made = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('h') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], extensions: new Map([['hmac-secret', true]]) });
      const id = parseAuthenticatorData(made.authData).attestedCredentialData!.credentialId;
      const s = await hmacSecret.session(ctap, PIN_PROTOCOL_2);
      const full = hmacSecret.input(s, [new Uint8Array(32)]);
      const ga = (input: Map<number, CanonicalValue>, up = true) => status(ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), allowList: [{ type: 'public-key', id }], options: up ? {} : { up: false }, extensions: new Map([['hmac-secret', input]]) }));
      for (const drop of [2, 3]) {
        const m = new Map(full);
        m.delete(drop);
        expect(await ga(m)).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      }
      expect(await ga(full, false)).toBe(S.CTAP2_ERR_UNSUPPORTED_OPTION);
      expect(await ga(new Map([...full, [3, new Uint8Array(32)]]))).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    });

    it('CTAP 2.2 thirdPartyPayment: marked at makeCredential, reported at getAssertion and by credential management', async () => {
      const { ctap } = await key(link, { features: { thirdPartyPayment: true } });
      const made = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('pay') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true }, extensions: new Map([['thirdPartyPayment', true]]) });
      expect(thirdPartyPayment.value(parseAuthenticatorData(made.authData).extensions)).toBe(true);
      const plain = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('plain') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] });
      const q = async (r: typeof made) => thirdPartyPayment.value(parseAuthenticatorData((await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), allowList: [{ type: 'public-key', id: parseAuthenticatorData(r.authData).attestedCredentialData!.credentialId }], extensions: new Map([['thirdPartyPayment', true]]) })).authData).extensions);
      expect(await q(made)).toBe(true);
      expect(await q(plain)).toBe(false);
    });

    it('CTAP 2.3 §12.4 largeBlob extension: support at makeCredential, write then read at getAssertion (unsigned outputs); no authenticatorLargeBlobs beside it', async () => {
      const { ctap } = await key(link, { features: { largeBlob: 'extension' } });
      expect(ctap.info.extensions).toContain('largeBlob');
      expect(ctap.info.extensions).not.toContain('largeBlobKey');
      expect(ctap.info.options.largeBlobs).toBeUndefined();
      expect((await ctap.raw(CTAP2.largeBlobs, encodeCanonical(new Map([[1, 10], [3, 0]])))).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
      const made = await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('lb') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true }, extensions: new Map([['largeBlob', largeBlob.supportInput(true)]]) });
      expect(largeBlob.output(made.unsignedExtensionOutputs)).toEqual({ supported: true });
      const id = parseAuthenticatorData(made.authData).attestedCredentialData!.credentialId;
      const blob = new Uint8Array(crypto.randomBytes(200));
      const w = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true }, allowList: [{ type: 'public-key', id }], extensions: new Map([['largeBlob', largeBlob.writeInput(blob, 300)]]) });
      expect(largeBlob.output(w.unsignedExtensionOutputs)).toEqual({ written: true });
      const r = await ctap.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true }, allowList: [{ type: 'public-key', id }], extensions: new Map([['largeBlob', largeBlob.readInput()]]) });
      expect(Buffer.from(largeBlob.output(r.unsignedExtensionOutputs)!.blob!)).toEqual(Buffer.from(blob));
    });

    it('§6.10 authenticatorLargeBlobs: out-of-sequence fragments, a bad trailing hash and an unsigned write on a protected key are refused', async () => {
      const { ctap } = await key(link, { features: { largeBlob: true, uv: false, clientPin: { pin: PIN } } });
      const set = (offset: number, data: Uint8Array, length?: number, token?: Awaited<ReturnType<ClientPin['tokenUsingPin']>>) => {
        const m = new Map<number, CanonicalValue>([[2, data], [3, offset]]);
        if (length !== undefined) m.set(4, length);
        if (token) {
          const off = Buffer.alloc(4);
          off.writeUInt32LE(offset);
          m.set(5, pinUvAuthParam(token, Uint8Array.from([...new Uint8Array(32).fill(0xff), 0x0c, 0x00, ...off, ...sha256(data)])));
          m.set(6, token.protocol.version);
        }
        return status(ctap.call(CTAP2.largeBlobs, m));
      };
      const t = await new ClientPin(ctap, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.lbw);
      expect(await set(0, new Uint8Array(20), 40)).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
      expect(await set(0, new Uint8Array(20), 40, t)).toBe(0);
      expect(await set(30, new Uint8Array(10), undefined, t)).toBe(S.CTAP1_ERR_INVALID_SEQ);
      expect(await set(0, new Uint8Array(20), 40, t)).toBe(0);
      expect(await set(20, new Uint8Array(20), undefined, t)).toBe(S.CTAP2_ERR_INTEGRITY_FAILURE);
      expect(await set(0, new Uint8Array(20), 5000, t)).toBe(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    });

    it('§6.6 reset: only within the window after power-up, and with a touch; the FIDO_2_1_PRE commands only on a 2.1-pre key', async () => {
      const { ctap, device } = await key(link, { features: { resetWindowMs: 400 } });
      await ctap.makeCredential({ clientDataHash: cdh(), rp: { id: RP }, user: { id: te.encode('r') }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], options: { rk: true, uv: true } });
      await new Promise((r) => setTimeout(r, 450));
      expect(await status(ctap.reset({ allowReset: true }))).toBe(S.CTAP2_ERR_NOT_ALLOWED);
      await device.powerCycle();
      await device.ctap2!.reset({ allowReset: true });
      expect(await status(device.ctap2!.getAssertion({ rpId: RP, clientDataHash: cdh(), options: { uv: true } }))).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
      expect((await device.ctap2!.raw(CTAP2.credentialManagementPreview, encodeCanonical(new Map([[1, 1]])))).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
      const pre = await key(link, { features: { ctap: '2.1-pre' } });
      expect(pre.ctap.info.versions).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE']);
      expect(pre.ctap.info.options.credentialMgmtPreview).toBe(true);
      const uv = await obtainToken(pre.ctap, chooseVerification(pre.ctap.info, { pinAvailable: false }), { permissions: PERMISSION.cm });
      expect(uv).toBe('uv-option'); // a 2.1-pre key without pinUvAuthToken: the uv option
    });
  });
}
