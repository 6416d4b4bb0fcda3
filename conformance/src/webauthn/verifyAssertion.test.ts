import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { SoftAuthenticator, type Tamper } from '../emulation/SoftAuthenticator.ts';
import { parseAuthenticationResponse, parseRegistrationResponse } from './parseResponse.ts';
import { verifyAssertion } from './verifyAssertion.ts';
import { coseKeyToPublicKey } from './coseKey.ts';

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
