import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { SoftAuthenticator, type Tamper } from '../emulation/SoftAuthenticator.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from './parseResponse.ts';
import { verifyAssertion, verifyAssertionOffThread } from './verifyAssertion.ts';
import { coseKeyToPublicKey, verifyCoseSignature, verifyCoseSignatureOffThread } from './coseKey.ts';

const origin = 'https://rp.example';
const rpId = 'rp.example';

async function setup(alg: number) {
  const key = new SoftAuthenticator({ algorithms: [alg] });
  const reg = parseRegistrationResponse(await key.create({ challenge: 'Y2hhbGxlbmdl', rp: { id: rpId }, user: { id: 'dXNlcg' }, pubKeyCredParams: [{ alg, type: 'public-key' }] }, origin));
  const acd = reg.authData.attestedCredentialData!;
  return { key, acd, pk: coseKeyToPublicKey(acd.publicKey) };
}

/**
 * Differential test: our lean verifier and @simplewebauthn/server must agree on every
 * assertion, honest or tampered, for each algorithm.
 */
describe('verifyAssertion agrees with @simplewebauthn/server', () => {
  for (const alg of [-7, -8, -257]) {
    it(`COSE alg ${alg}`, async () => {
      const { key, acd, pk } = await setup(alg);
      const cases: [string, Tamper, string | undefined][] = [
        ['honest', {}, undefined],
        ['bogus signature', { bogusSignature: true }, 'SIGNATURE'],
        ['UP cleared', { clearUP: true }, 'FLAG_UP'],
        ['wrong origin', { origin: 'https://evil.example' }, 'CLIENT_DATA_ORIGIN'],
        ['wrong rpId', { rpId: 'evil.example' }, 'RP_ID_HASH'],
        ['wrong type', { type: 'webauthn.create' }, 'CLIENT_DATA_TYPE'],
        ['wrong challenge', { challenge: 'b3RoZXI' }, 'CLIENT_DATA_CHALLENGE'],
        ['counter regression', { signCount: 0 }, 'SIGN_COUNT'],
      ];
      let stored = 5;
      for (const [name, tamper, code] of cases) {
        const challenge = crypto.randomBytes(16).toString('base64url');
        const json = await key.get({ challenge, rpId, allowCredentials: [{ id: Buffer.from(acd.credentialId).toString('base64url') }] }, origin, { signCount: stored + 1, ...tamper });
        const ours = verifyAssertion(parseAuthenticationResponse(json), { challenge, origins: [origin], rpId, requireUserVerification: false }, {
          alg, keyObject: pk.keyObject, counter: stored, userHandle: new Uint8Array(Buffer.from('user')),
        });
        let theirs = false;
        try {
          theirs = (await verifyAuthenticationResponse({
            response: json as never, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpId, requireUserVerification: false,
            credential: { id: Buffer.from(acd.credentialId).toString('base64url'), publicKey: new Uint8Array(acd.publicKeyBytes), counter: stored },
          })).verified;
        } catch {
          theirs = false;
        }
        expect(ours.verified, name).toBe(theirs);
        expect(ours.findings.find((f) => f.status === 'fail')?.code, name).toBe(code);
        // the server's route checks the signature on the thread pool: the same verdict, finding for finding
        const offThread = await verifyAssertionOffThread(parseAuthenticationResponse(json), { challenge, origins: [origin], rpId, requireUserVerification: false }, {
          alg, keyObject: pk.keyObject, counter: stored, userHandle: new Uint8Array(Buffer.from('user')),
        });
        expect(offThread, name).toEqual(ours);
        if (ours.verified) stored = ours.newCounter;
      }
    });
  }

  it('both-zero counters are allowed (authenticators without a counter)', async () => {
    const { key, acd, pk } = await setup(-7);
    const json = await key.get({ challenge: 'YQ', rpId, allowCredentials: [{ id: Buffer.from(acd.credentialId).toString('base64url') }] }, origin, { signCount: 0 });
    const v = verifyAssertion(parseAuthenticationResponse(json), { challenge: 'YQ', origins: [origin], rpId, requireUserVerification: false }, { alg: -7, keyObject: pk.keyObject, counter: 0, userHandle: new Uint8Array() });
    expect(v.verified).toBe(true);
    expect(v.counterRegression).toBe(false);
  });
});

describe('the thread-pool signature check judges as the in-thread one', () => {
  it('on good, bad, malformed and mismatched signatures for each key type', async () => {
    const data = crypto.randomBytes(100);
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const ed = crypto.generateKeyPairSync('ed25519');
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pss = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const cases: [string, number, crypto.KeyObject, Buffer][] = [
      ['ES256', -7, ec.publicKey, crypto.sign('sha256', data, ec.privateKey)],
      ['ES256 under a P-384 key', -7, ec384.publicKey, crypto.sign('sha256', data, ec384.privateKey)],
      ['ES384 on P-384', -35, ec384.publicKey, crypto.sign('sha384', data, ec384.privateKey)],
      ['EdDSA', -8, ed.publicKey, crypto.sign(null, data, ed.privateKey)],
      ['RS256', -257, rsa.publicKey, crypto.sign('sha256', data, rsa.privateKey)],
      ['PS256', -37, rsa.publicKey, crypto.sign('sha256', data, { key: rsa.privateKey, ...pss })],
      ['RS256 signature under PS256', -37, rsa.publicKey, crypto.sign('sha256', data, rsa.privateKey)],
      ['ES256 alg on an RSA key', -7, rsa.publicKey, crypto.sign('sha256', data, rsa.privateKey)],
      ['RS256 alg on an EC key', -257, ec.publicKey, crypto.sign('sha256', data, ec.privateKey)],
      ['truncated DER', -7, ec.publicKey, crypto.sign('sha256', data, ec.privateKey).subarray(0, 20)],
      ['empty signature', -8, ed.publicKey, Buffer.alloc(0)],
      ['unknown algorithm', -999, ec.publicKey, crypto.sign('sha256', data, ec.privateKey)],
    ];
    const verdicts: boolean[] = [];
    for (const [name, alg, key, sig] of cases) {
      const inThread = verifyCoseSignature(alg, key, data, sig);
      expect(await verifyCoseSignatureOffThread(alg, key, data, sig), name).toBe(inThread);
      verdicts.push(inThread);
    }
    // the cases cover both answers: which ones verify
    expect(verdicts).toEqual([true, false, true, true, true, true, false, false, false, false, false, false]);
  });
});
