import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { SoftAuthenticator, type Tamper } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { openSqliteStores } from '../server/src/storage/SqliteStores.ts';
import path from 'node:path';

let s: TestServer;
beforeEach(async () => {
  s = await startTestServer();
});
afterEach(async () => {
  await s.close();
});

async function register(api: ApiSession, key: SoftAuthenticator, body: Record<string, unknown> = {}, tamper: Tamper = {}) {
  const opts = await api.post('/api/registration/options', { username: 'alice', ...body });
  expect(opts.statusCode, opts.body).toBe(200);
  const response = await key.create(opts.json(), s.origin, tamper);
  return api.post('/api/registration/verify', response);
}

async function signIn(api: ApiSession, key: SoftAuthenticator, body: Record<string, unknown> = { username: 'alice' }, tamper: Tamper = {}) {
  const opts = await api.post('/api/authentication/options', body);
  expect(opts.statusCode, opts.body).toBe(200);
  return api.post('/api/authentication/verify', await key.get(opts.json(), s.origin, tamper));
}

describe('registration and sign-in through the API', () => {
  for (const [name, alg] of [['ES256', -7], ['EdDSA', -8], ['RS256', -257]] as const) {
    it(`registers and signs in with ${name}, attestation packed self`, async () => {
      const api = new ApiSession(s.app);
      const key = new SoftAuthenticator({ attestation: 'packed-self', algorithms: [alg] });
      const reg = await register(api, key, { attestation: 'direct' });
      expect(reg.statusCode, reg.body).toBe(200);
      expect(reg.json().credential.alg).toBe(alg);
      expect(reg.json().credential.fmt).toBe('packed');
      expect(reg.json().decoded.authenticatorData.publicKey.algName).toBe(name);
      const auth = await signIn(api, key);
      expect(auth.statusCode, auth.body).toBe(200);
      expect(auth.json().credential.counter).toBe(1);
      const again = await signIn(api, key);
      expect(again.json().credential.counter).toBe(2);
      expect((await s.store.getCredential(reg.json().credential.id))!.counter).toBe(2);
    });
  }

  it('signs in without a username (discoverable credential) and names the owner', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    expect((await register(api, key, { residentKey: 'required', username: 'bob' })).statusCode).toBe(200);
    const opts = await api.post('/api/authentication/options', {});
    expect(opts.json().allowCredentials).toEqual([]);
    const res = await api.post('/api/authentication/verify', await key.get(opts.json(), s.origin));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().credential.username).toBe('bob');
  });

  it('offers the pinned algorithm list and every requested extension in the options', async () => {
    const api = new ApiSession(s.app);
    const res = await api.post('/api/registration/options', {
      username: 'carol',
      attestation: 'indirect',
      residentKey: 'required',
      userVerification: 'required',
      authenticatorAttachment: 'cross-platform',
      hints: ['security-key'],
      algorithms: [-8, -7],
      timeout: 30000,
      extensions: {
        credProps: true,
        prf: { eval: { first: 'AAEC' } },
        hmacCreateSecret: true,
        credProtect: { policy: 'userVerificationRequired', enforce: true },
        largeBlob: { support: 'preferred' },
        credBlob: 'aGVsbG8',
        minPinLength: true,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    expect(o.attestation).toBe('indirect');
    expect(o.hints).toEqual(['security-key']);
    expect(o.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7]);
    expect(o.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required', authenticatorAttachment: 'cross-platform' });
    expect(o.timeout).toBe(30000);
    expect(o.extensions).toEqual({
      credProps: true,
      prf: { eval: { first: 'AAEC' } },
      hmacCreateSecret: true,
      credentialProtectionPolicy: 'userVerificationRequired',
      enforceCredentialProtectionPolicy: true,
      largeBlob: { support: 'preferred' },
      credBlob: 'aGVsbG8',
      minPinLength: true,
    });
    const auth = await api.post('/api/authentication/options', { extensions: { prf: { eval: { first: 'AAEC', second: 'AwQ' } }, largeBlob: { read: true }, getCredBlob: true } });
    expect(auth.json().extensions).toEqual({ prf: { eval: { first: 'AAEC', second: 'AwQ' } }, largeBlob: { read: true }, getCredBlob: true });
  });

  it('excludes the user\'s existing credentials unless told not to', async () => {
    const api = new ApiSession(s.app);
    const reg = await register(api, new SoftAuthenticator());
    const id = reg.json().credential.id;
    const o1 = await api.post('/api/registration/options', { username: 'alice' });
    expect(o1.json().excludeCredentials.map((c: { id: string }) => c.id)).toEqual([id]);
    const o2 = await api.post('/api/registration/options', { username: 'alice', excludeCredentials: false });
    expect(o2.json().excludeCredentials).toEqual([]);
  });

  it('keeps credentials across a restart (real SQLite file) and deletes them', async () => {
    const api = new ApiSession(s.app);
    const reg = await register(api, new SoftAuthenticator());
    const id = reg.json().credential.id;
    const reopened = openSqliteStores(path.join(s.dataDir, 'fido2-harness.sqlite'));
    expect((await reopened.credentials.getCredential(id))?.aaguid).toBe('00000000-0000-0000-0000-000000000000');
    await reopened.close();
    expect((await api.get('/api/credentials')).json().credentials).toHaveLength(1);
    expect((await api.request('DELETE', `/api/credentials/${id}`)).statusCode).toBe(204);
    expect((await api.request('DELETE', `/api/credentials/${id}`)).statusCode).toBe(404);
    expect((await api.get('/api/credentials')).json().credentials).toHaveLength(0);
  });
});

describe('the RP refuses what it must refuse', () => {
  async function expectRejected(res: { statusCode: number; json(): any; body: string }, code: string) {
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error.code).toBe(code);
  }

  it('bogus registration signature (packed self)', async () => {
    const api = new ApiSession(s.app);
    await expectRejected(await register(api, new SoftAuthenticator({ attestation: 'packed-self' }), { attestation: 'direct' }, { bogusSignature: true }), 'ATT_PACKED_SIGNATURE');
    expect(await s.store.listCredentials()).toHaveLength(0);
  });

  it('a key that pads its authenticator data (trailing CBOR): a failed verification naming the byte, at registration and at sign-in', async () => {
    const api = new ApiSession(s.app);
    const padded = new SoftAuthenticator({ faults: { trailingCbor: true } });
    const r = await register(api, padded);
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'AUTHDATA_STRUCTURE', message: expect.stringMatching(/at byte offset \d+: 1 trailing byte/) });
    expect(await s.store.listCredentials()).toHaveLength(0);
    // the same key model without the fault registers; its padded assertions are refused
    const key = new SoftAuthenticator();
    expect((await register(api, key)).statusCode).toBe(200);
    key.device.faults.trailingCbor = true;
    const a = await signIn(api, key);
    expect(a.statusCode, a.body).toBe(422);
    expect(a.json().error.code).toBe('AUTHDATA_STRUCTURE');
  });

  it('bogus assertion signature', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await register(api, key);
    await expectRejected(await signIn(api, key, { username: 'alice' }, { bogusSignature: true }), 'SIGNATURE');
  });

  it('UP cleared, at registration and sign-in', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await expectRejected(await register(api, key, {}, { clearUP: true }), 'FLAG_UP');
    await register(api, key);
    await expectRejected(await signIn(api, key, { username: 'alice' }, { clearUP: true }), 'FLAG_UP');
  });

  it('UV cleared when userVerification is required, accepted when preferred', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await expectRejected(await register(api, key, { userVerification: 'required' }, { clearUV: true }), 'FLAG_UV');
    expect((await register(api, key, { userVerification: 'preferred' }, { clearUV: true })).statusCode).toBe(200);
    await expectRejected(await signIn(api, key, { username: 'alice', userVerification: 'required' }, { clearUV: true }), 'FLAG_UV');
    expect((await signIn(api, key, { username: 'alice', userVerification: 'preferred' }, { clearUV: true })).statusCode).toBe(200);
  });

  it('a replayed response: challenges are single-use', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await register(api, key);
    const opts = await api.post('/api/authentication/options', { username: 'alice' });
    const response = await key.get(opts.json(), s.origin);
    expect((await api.post('/api/authentication/verify', response)).statusCode).toBe(200);
    await expectRejected(await api.post('/api/authentication/verify', response), 'CHALLENGE_UNKNOWN');
  });

  it('a failed attempt burns the challenge too', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await register(api, key);
    const opts = await api.post('/api/authentication/options', { username: 'alice' });
    await expectRejected(await api.post('/api/authentication/verify', await key.get(opts.json(), s.origin, { bogusSignature: true })), 'SIGNATURE');
    await expectRejected(await api.post('/api/authentication/verify', await key.get(opts.json(), s.origin)), 'CHALLENGE_UNKNOWN');
  });

  it('an expired challenge', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    const opts = await api.post('/api/registration/options', { username: 'alice' });
    s.clock.now += s.config.challengeTtlMs + 1;
    await expectRejected(await api.post('/api/registration/verify', await key.create(opts.json(), s.origin)), 'CHALLENGE_EXPIRED');
  });

  it('a challenge from another session', async () => {
    const a = new ApiSession(s.app);
    const b = new ApiSession(s.app);
    await a.get('/api/config');
    await b.get('/api/config');
    const opts = await a.post('/api/registration/options', { username: 'alice' });
    await expectRejected(await b.post('/api/registration/verify', await new SoftAuthenticator().create(opts.json(), s.origin)), 'CHALLENGE_SESSION_MISMATCH');
  });

  it('a registration challenge used for sign-in', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await register(api, key);
    const opts = await api.post('/api/registration/options', { username: 'alice', excludeCredentials: false });
    const getOpts = { ...opts.json(), rpId: 'localhost', allowCredentials: [] };
    key.credentials.forEach((c) => (c.discoverable = true));
    await expectRejected(await api.post('/api/authentication/verify', await key.get(getOpts, s.origin)), 'CHALLENGE_WRONG_CEREMONY');
  });

  it('a wrong origin', async () => {
    const api = new ApiSession(s.app);
    await expectRejected(await register(api, new SoftAuthenticator(), {}, { origin: 'https://evil.example' }), 'CLIENT_DATA_ORIGIN');
  });

  it('a wrong RP ID', async () => {
    const api = new ApiSession(s.app);
    await expectRejected(await register(api, new SoftAuthenticator(), {}, { rpId: 'evil.example' }), 'RP_ID_HASH');
  });

  it('a wrong clientData type', async () => {
    const api = new ApiSession(s.app);
    await expectRejected(await register(api, new SoftAuthenticator(), {}, { type: 'webauthn.get' }), 'CLIENT_DATA_TYPE');
  });

  it('a counter regression: rejected, counted on the credential and logged', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    const reg = await register(api, key);
    const id = reg.json().credential.id;
    expect((await signIn(api, key, { username: 'alice' }, { signCount: 10 })).statusCode).toBe(200);
    await expectRejected(await signIn(api, key, { username: 'alice' }, { signCount: 7 }), 'SIGN_COUNT');
    const c = (await s.store.getCredential(id))!;
    expect(c.counter).toBe(10);
    expect(c.counterRegressions).toBe(1);
    const log = await api.get(`/api/credentials/${id}/counter-regressions`);
    expect(log.json().regressions).toMatchObject([{ credentialId: id, stored: 10, received: 7 }]);
  });

  it('a regression claimed by a badly signed response is not recorded', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    const id = (await register(api, key)).json().credential.id;
    await signIn(api, key, { username: 'alice' }, { signCount: 10 });
    await expectRejected(await signIn(api, key, { username: 'alice' }, { signCount: 3, bogusSignature: true }), 'SIGNATURE');
    expect((await s.store.getCredential(id))!.counterRegressions).toBe(0);
  });

  it('an unknown credential', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    const id = (await register(api, key, { residentKey: 'required' })).json().credential.id;
    await s.app.inject({ method: 'DELETE', url: `/api/credentials/${id}` });
    await expectRejected(await signIn(api, key, {}), 'CREDENTIAL_UNKNOWN');
  });

  it('a credential that was not in allowCredentials', async () => {
    const api = new ApiSession(s.app);
    const k1 = new SoftAuthenticator();
    const k2 = new SoftAuthenticator();
    await register(api, k1);
    await register(api, k2, { username: 'mallory', residentKey: 'required' });
    const opts = await api.post('/api/authentication/options', { username: 'alice' });
    await expectRejected(await api.post('/api/authentication/verify', await k2.get({ ...opts.json(), allowCredentials: [] }, s.origin)), 'CREDENTIAL_NOT_ALLOWED');
  });

  it('an assertion whose userHandle names another account', async () => {
    const api = new ApiSession(s.app);
    const key = new SoftAuthenticator();
    await register(api, key, { residentKey: 'required' });
    const cred = [...key.credentials.values()][0]!;
    cred.userHandle = new Uint8Array(32).fill(7);
    await expectRejected(await signIn(api, key, {}), 'USER_HANDLE');
  });

  it('sign-in options for an unknown user say so', async () => {
    const api = new ApiSession(s.app);
    const res = await api.post('/api/authentication/options', { username: 'nobody' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('USER_UNKNOWN');
  });
});
