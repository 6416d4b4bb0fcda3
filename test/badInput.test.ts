import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { encodeCbor } from '../conformance/src/cbor/encodeCbor.ts';

/**
 * Hostile and broken input on every route that takes outside data: always a 4xx with a
 * stable code and a message, never a 500, and the store exactly as it was.
 */
let s: TestServer;
let api: ApiSession;
let key: SoftAuthenticator;
let snapshot: string;
const storeState = async () => JSON.stringify(await Promise.all((await s.store.listCredentials()).map(async (c) => ({ ...c, publicKey: [...c.publicKey], evidence: await s.store.getRegistrationEvidence(c.id) }))));

beforeAll(async () => {
  s = await startTestServer();
  api = new ApiSession(s.app);
  key = new SoftAuthenticator({ attestation: 'packed-self' });
  const o = await api.post('/api/registration/options', { username: 'alice', residentKey: 'required' });
  expect((await api.post('/api/registration/verify', await key.create(o.json(), s.origin))).statusCode).toBe(200);
  snapshot = await storeState();
});
afterAll(async () => {
  expect(await storeState()).toBe(snapshot);
  await s.close();
});

async function freshRegistration() {
  const o = await api.post('/api/registration/options', { username: `u${crypto.randomInt(1e9)}` });
  return await key.create(o.json(), s.origin);
}
async function freshAssertion() {
  const o = await api.post('/api/authentication/options', { username: 'alice' });
  return await key.get(o.json(), s.origin);
}

function expect4xx(res: { statusCode: number; body: string; json(): any }, code: string | RegExp, status = 400) {
  expect(res.statusCode, res.body).toBe(status);
  const e = res.json().error;
  if (typeof code === 'string') expect(e.code, res.body).toBe(code);
  else expect(e.code, res.body).toMatch(code);
  expect(e.message.length).toBeGreaterThan(10);
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const withAtt = (r: any, att: Uint8Array) => ({ ...r, response: { ...r.response, attestationObject: b64(att) } });
const attOf = (r: any) => new Uint8Array(Buffer.from(r.response.attestationObject, 'base64url'));

describe('transport-level garbage', () => {
  const routes = ['/api/registration/options', '/api/registration/verify', '/api/authentication/options', '/api/authentication/verify'];
  for (const url of routes) {
    it(`${url}: malformed JSON, wrong media type, oversized, wrong shapes`, async () => {
      expect4xx(await api.post(url, '{"username": ', { 'content-type': 'application/json' }), 'BAD_JSON');
      expect4xx(await api.post(url, '\u0000\u0001', { 'content-type': 'application/json' }), 'BAD_JSON');
      expect4xx(await api.post(url, 'username=alice', { 'content-type': 'application/x-www-form-urlencoded' }), 'UNSUPPORTED_MEDIA_TYPE', 415);
      expect4xx(await api.post(url, JSON.stringify({ username: 'x'.repeat(300 * 1024) }), { 'content-type': 'application/json' }), 'BODY_TOO_LARGE', 413);
      for (const body of ['[]', '"alice"', '42', 'null', '{"__proto__":{"polluted":1},"username":7}']) {
        const res = await api.post(url, body, { 'content-type': 'application/json' });
        expect(res.statusCode, `${url} ${body}: ${res.body}`).toBe(400);
        expect(res.json().error.code).toMatch(/^BAD_/);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
});

describe('options routes', () => {
  it('wrong types and values are refused, not coerced', async () => {
    const bad: unknown[] = [
      { username: 42 },
      { username: '' },
      { username: 'a'.repeat(65) },
      { username: 'a', attestation: 'full' },
      { username: 'a', algorithms: [] },
      { username: 'a', algorithms: ['-7'] },
      { username: 'a', algorithms: [-46] }, // HSS-LMS: registered, but not one this runtime verifies
      { username: 'a', timeout: '60000' },
      { username: 'a', timeout: 10 },
      { username: 'a', hints: ['security-key', 'security-key'] },
      { username: 'a', extensions: { prf: { eval: { first: 'not base64url!' } } } },
      { username: 'a', extensions: { credBlob: 'A'.repeat(44) } },
      { username: 'a', extensions: { credBlob: '' } },
      { username: 'a', extensions: { credProtect: { policy: 'always' } } },
      { username: 'a', extensions: { unknownExtension: true } },
      { username: 'a', surprise: 1 },
    ];
    for (const body of bad) expect4xx(await api.post('/api/registration/options', body), 'BAD_REQUEST');
    for (const body of [{ username: 5 }, { extensions: { largeBlob: { read: true, write: 'AA' } } }, { extensions: { largeBlob: { read: false } } }, { userVerification: 'always' }]) {
      expect4xx(await api.post('/api/authentication/options', body), 'BAD_REQUEST');
    }
  });

  it('hostile but well-typed usernames are stored as plain data', async () => {
    const res = await api.post('/api/registration/options', { username: '<img src=x onerror=alert(1)>', displayName: '"; DROP TABLE users; --' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.name).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('registration/verify', () => {
  it('bad base64url, bad clientDataJSON, id mismatch', async () => {
    const r = await freshRegistration();
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, attestationObject: 'a*b' } }), 'BAD_REQUEST');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, attestationObject: 'A' } }), 'BAD_BASE64URL');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, clientDataJSON: b64(Buffer.from('{"type":')) } }), 'BAD_CLIENT_DATA');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, clientDataJSON: b64(Buffer.from('[1,2]')) } }), 'BAD_CLIENT_DATA');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, clientDataJSON: b64(Buffer.from('{"type":1,"challenge":"x","origin":"y"}')) } }), 'BAD_CLIENT_DATA');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { ...r.response, clientDataJSON: b64(Buffer.from([0xff, 0xfe])) } }), 'BAD_CLIENT_DATA');
    expect4xx(await api.post('/api/registration/verify', { ...r, id: 'AAAA', rawId: r.rawId }), 'BAD_RESPONSE');
    expect4xx(await api.post('/api/registration/verify', { ...r, type: 'password' }), 'BAD_REQUEST');
    expect4xx(await api.post('/api/registration/verify', { ...r, response: { clientDataJSON: r.response.clientDataJSON } }), 'BAD_REQUEST');
  });

  it('truncated, trailing, tagged, indefinite and non-canonical CBOR', async () => {
    const r = await freshRegistration();
    const att = attOf(r);
    expect4xx(await api.post('/api/registration/verify', withAtt(r, att.subarray(0, att.length - 1))), /BAD_CBOR|BAD_AUTHENTICATOR_DATA/);
    expect4xx(await api.post('/api/registration/verify', withAtt(r, att.subarray(0, 10))), 'BAD_CBOR');
    expect4xx(await api.post('/api/registration/verify', withAtt(r, Buffer.concat([att, Buffer.from([0])]))), 'BAD_CBOR');
    expect4xx(await api.post('/api/registration/verify', withAtt(r, Buffer.concat([Buffer.from([0xd8, 0x18]), att]))), 'BAD_CBOR');
    // an indefinite-length map: valid CBOR, not CTAP2 canonical (refused as out-of-order keys are)
    expect4xx(await api.post('/api/registration/verify', withAtt(r, Buffer.concat([Buffer.from([0xbf]), att.subarray(1), Buffer.from([0xff])]))), 'NON_CANONICAL_CBOR');
    // the same map with keys in the wrong order: valid CBOR, not CTAP2 canonical
    const dec = (await import('cbor-x')).decode(att) as Record<string, unknown>;
    const reordered = encodeCbor(new Map<string, unknown>([['authData', dec.authData], ['fmt', dec.fmt], ['attStmt', new Map(Object.entries(dec.attStmt as object))]]));
    expect4xx(await api.post('/api/registration/verify', withAtt(r, reordered)), 'NON_CANONICAL_CBOR');
    // an integer in a longer form than needed: 0x18 0x05 for 5
    const longInt = Buffer.concat([Buffer.from([0xa1, 0x63]), Buffer.from('fmt'), Buffer.from([0x18, 0x05])]);
    expect4xx(await api.post('/api/registration/verify', withAtt(r, longInt)), /NON_CANONICAL_CBOR|BAD_ATTESTATION_OBJECT/);
    // 10,000 nested arrays
    expect4xx(await api.post('/api/registration/verify', withAtt(r, Buffer.alloc(10000, 0x81))), 'BAD_CBOR');
    // a byte string claiming 4 GB
    expect4xx(await api.post('/api/registration/verify', withAtt(r, Buffer.from([0x5a, 0xff, 0xff, 0xff, 0xff, 0x00]))), 'BAD_CBOR');
    // authenticator data of 10 bytes inside a well-formed attestation object: the key's defect, a 422 naming the byte
    const short = await freshRegistration();
    const res = await api.post('/api/registration/verify', withAtt(short, encodeCbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(10)]]))));
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'AUTHDATA_STRUCTURE', message: expect.stringMatching(/at byte offset 10: authenticatorData is 10 bytes/) });
  });

  it('every truncation and 2,000 random byte flips of a real attestation object: 4xx, never 500', async () => {
    const r = await freshRegistration();
    const att = attOf(r);
    const statuses = new Map<number, number>();
    const tally = (n: number) => statuses.set(n, (statuses.get(n) ?? 0) + 1);
    for (let cut = 0; cut < att.length; cut++) {
      const res = await api.post('/api/registration/verify', withAtt(r, att.subarray(0, cut)));
      tally(res.statusCode);
      expect(res.statusCode, `cut ${cut}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `cut ${cut}: ${res.body}`).toBeLessThan(500);
    }
    const rnd = crypto.createHash('sha256');
    for (let i = 0; i < 2000; i++) {
      const m = Buffer.from(att);
      const h = rnd.copy().update(String(i)).digest();
      const at = h.readUInt16BE(0) % m.length;
      m[at] = m[at]! ^ (h[2]! | 1);
      const res = await api.post('/api/registration/verify', withAtt(r, m));
      tally(res.statusCode);
      expect(res.statusCode, `flip ${i}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `flip ${i}: ${res.body}`).toBeLessThan(500);
    }
    expect(statuses.get(400)).toBeGreaterThan(0);
  });
});

describe('authentication/verify', () => {
  it('truncated authData, trailing bytes, bad signature encoding, hostile userHandle', async () => {
    // authenticator data that does not parse is the key's defect: 422 naming the byte, the challenge used up
    for (const [mutate, offset] of [
      [(ad: Buffer) => ad.subarray(0, 36), /at byte offset 36/],
      [(ad: Buffer) => Buffer.concat([ad, Buffer.from([1, 2])]), /at byte offset 37: 2 trailing byte/],
      [(ad: Buffer) => Buffer.from([...ad.subarray(0, 32), ad[32]! | 0x80, ...ad.subarray(33)]), /at byte offset 37: ED flag is set but no extensions follow/],
    ] as const) {
      const fresh = await freshAssertion();
      const res = await api.post('/api/authentication/verify', { ...fresh, response: { ...fresh.response, authenticatorData: b64(mutate(Buffer.from(fresh.response.authenticatorData, 'base64url'))) } });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'AUTHDATA_STRUCTURE', message: expect.stringMatching(offset) });
      const again = await api.post('/api/authentication/verify', fresh);
      expect(again.json().error.code, 'the challenge was used up by the malformed attempt').toMatch(/^CHALLENGE_/);
    }
    const a = await freshAssertion();
    const with_ = (patch: object) => ({ ...a, response: { ...a.response, ...patch } });
    expect4xx(await api.post('/api/authentication/verify', with_({ userHandle: 42 })), 'BAD_REQUEST');
    expect4xx(await api.post('/api/authentication/verify', with_({ signature: '' })), 'BAD_REQUEST');
    // a well-formed but garbage signature is a verification failure, not a crash
    const a2 = await freshAssertion();
    const res = await api.post('/api/authentication/verify', { ...a2, response: { ...a2.response, signature: b64(Buffer.from('30020100', 'hex')) } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('SIGNATURE');
  });

  it('every truncation of authenticatorData and clientDataJSON: 4xx', async () => {
    const a = await freshAssertion();
    const ad = Buffer.from(a.response.authenticatorData, 'base64url');
    const cd = Buffer.from(a.response.clientDataJSON, 'base64url');
    for (let cut = 1; cut < ad.length; cut++) {
      const res = await api.post('/api/authentication/verify', { ...a, response: { ...a.response, authenticatorData: b64(ad.subarray(0, cut)) } });
      // the first names the defect; the challenge is then used up
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toMatch(cut === 1 ? /^AUTHDATA_STRUCTURE$/ : /^(AUTHDATA_STRUCTURE|CHALLENGE_\w+)$/);
    }
    for (let cut = 1; cut < cd.length; cut++) {
      const res = await api.post('/api/authentication/verify', { ...a, response: { ...a.response, clientDataJSON: b64(cd.subarray(0, cut)) } });
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, res.body).toBeLessThan(500);
    }
  });
});

describe('credentials routes', () => {
  it('hostile IDs and queries', async () => {
    expect4xx(await api.request('DELETE', '/api/credentials/..%2F..%2Fetc%2Fpasswd'), 'BAD_REQUEST');
    expect4xx(await api.request('DELETE', `/api/credentials/${'A'.repeat(2000)}`), 'URI_TOO_LONG', 414);
    expect4xx(await api.request('DELETE', `/api/credentials/${'A'.repeat(1399)}*`), 'BAD_REQUEST');
    expect4xx(await api.request('DELETE', '/api/credentials/%27%20OR%201%3D1'), 'BAD_REQUEST');
    expect4xx(await api.get(`/api/credentials?username=${'a'.repeat(100)}`), 'BAD_REQUEST');
    expect4xx(await api.get('/api/credentials?evil=1'), 'BAD_REQUEST');
    expect4xx(await api.get('/api/nothing-here'), 'NOT_FOUND', 404);
  });
});

describe('POST /api/inspect (the page\'s "open a captured response")', () => {
  it('not a response, not JSON, hostile members: a 400 naming the problem; nothing stored', async () => {
    const s2 = await startTestServer();
    try {
      const api = new ApiSession(s2.app);
      for (const body of [{}, { response: 7 }, { response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: '!!', attestationObject: 'AA' } } }, { captureTime: 'soon', response: { id: 'x' } }]) {
        const r = await api.post('/api/inspect', body);
        expect(r.statusCode, JSON.stringify(body)).toBe(400);
        expect(r.json().error.code, JSON.stringify(body)).toMatch(/^BAD_/);
      }
      expect((await api.request('POST', '/api/inspect', '[1,2]', { 'content-type': 'application/json' })).statusCode).toBe(400);
      expect((await api.request('POST', '/api/inspect', '{"a":', { 'content-type': 'application/json' })).statusCode).toBe(400);
    } finally {
      await s2.close();
    }
  });
});

