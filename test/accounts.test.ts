import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';

/**
 * Accounts on a shared harness: the first admin with the start-up token, everyone else by
 * invite into a team; a person sees, changes and deletes only their team's credentials and runs
 * (an admin all of them), every route refusing the rest; deletions say who did them.
 */
const TOKEN = 'startup-token-0123456789abcdef';
let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

interface Person {
  api: ApiSession;
  key: SoftAuthenticator;
}

async function register(server: TestServer, body: Record<string, unknown>): Promise<Person & { status: number; json: any }> {
  const api = new ApiSession(server.app);
  const key = new SoftAuthenticator();
  const o = await api.post('/api/account/register/options', body);
  if (o.statusCode !== 200) return { api, key, status: o.statusCode, json: o.json() };
  const v = await api.post('/api/account/register/verify', await key.create(o.json(), server.origin));
  return { api, key, status: v.statusCode, json: v.json() };
}

async function invite(admin: Person, body: Record<string, unknown>): Promise<string> {
  const r = await admin.api.post('/api/account/invites', body);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().code;
}

/** a key under test registered by this person, as the demo page does */
async function registerKey(server: TestServer, p: Person, username: string) {
  const key = new SoftAuthenticator();
  const o = await p.api.post('/api/registration/options', { username, residentKey: 'required' });
  const v = o.statusCode === 200 ? await p.api.post('/api/registration/verify', await key.create(o.json(), server.origin)) : o;
  return Object.assign(v, { key });
}

async function lab() {
  s = await startTestServer({ flags: ['--accounts', 'on', '--token', TOKEN] });
  const admin = await register(s, { name: 'ada', team: 'lab', token: TOKEN });
  expect(admin.status, JSON.stringify(admin.json)).toBe(200);
  const red = await register(s, { name: 'rita', invite: await invite(admin, { team: 'red' }) });
  const blue = await register(s, { name: 'bert', invite: await invite(admin, { team: 'blue' }) });
  expect([red.status, blue.status]).toEqual([200, 200]);
  return { server: s, admin, red, blue };
}

describe('accounts', () => {
  it('the first admin needs the start-up token; later people an invite, used once; names unique; sign-out ends the session', async () => {
    s = await startTestServer({ flags: ['--accounts', 'on', '--token', TOKEN] });
    const anon = new ApiSession(s.app);
    expect((await anon.get('/api/account')).json()).toEqual({ accounts: true, signedIn: false, firstAdmin: true });
    expect((await register(s, { name: 'eve' })).json.error.code).toBe('TOKEN_REQUIRED');
    expect((await register(s, { name: 'eve', token: 'wrong-token-0123456789abcdef' })).json.error.code).toBe('TOKEN_REQUIRED');
    const admin = await register(s, { name: 'ada', team: 'lab', token: TOKEN });
    expect(admin.json).toEqual({ signedIn: true, account: { name: 'ada', team: 'lab', role: 'admin' } });
    expect((await admin.api.get('/api/account')).json()).toMatchObject({ signedIn: true, account: { name: 'ada', role: 'admin' }, firstAdmin: false });
    // the token no longer makes accounts
    expect((await register(s, { name: 'eve', token: TOKEN })).json.error.code).toBe('INVITE_INVALID');
    const code = await invite(admin, { team: 'red' });
    const rita = await register(s, { name: 'rita', invite: code });
    expect(rita.json).toEqual({ signedIn: true, account: { name: 'rita', team: 'red', role: 'member' } });
    // a used invite is refused before the person's authenticator makes a passkey (at options)
    const used = await register(s, { name: 'rob', invite: code });
    expect([used.status, used.json.error.code]).toEqual([403, 'INVITE_INVALID']);
    // two people with one invite at once: both get options, exactly one account is made
    const shared = await invite(admin, { team: 'green' });
    const [p1, p2] = [new ApiSession(s.app), new ApiSession(s.app)];
    const [g1, g2] = [await p1.post('/api/account/register/options', { name: 'gil', invite: shared }), await p2.post('/api/account/register/options', { name: 'gus', invite: shared })];
    const both = await Promise.all([p1.post('/api/account/register/verify', await new SoftAuthenticator().create(g1.json(), s.origin)), p2.post('/api/account/register/verify', await new SoftAuthenticator().create(g2.json(), s.origin))]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 403]);
    expect((await register(s, { name: 'rita', invite: await invite(admin, {}) })).json.error.code).toBe('ACCOUNT_EXISTS');
    expect((await register(s, { name: 'x', invite: await invite(admin, {}), team: 'admins' })).status).toBe(400);
    // a member makes no invites
    expect((await rita.api.post('/api/account/invites', {})).json().error.code).toBe('ADMIN_REQUIRED');
    // with a name, sign-in offers that person's passkeys only; an unknown name gets an answer of the same
    // shape (a decoy ID, against enumeration), and no name the discoverable form
    const named = await new ApiSession(s.app).post('/api/account/signin/options', { name: 'rita' });
    expect(named.json().allowCredentials.map((c: { id: string }) => c.id)).toHaveLength(1);
    expect((await new ApiSession(s.app).post('/api/account/signin/options', { name: 'nobody' })).json().allowCredentials).toHaveLength(1);
    expect((await new ApiSession(s.app).post('/api/account/signin/options', {})).json().allowCredentials).toEqual([]);
    expect((await new ApiSession(s.app).post('/api/account/signin/options', { name: '' })).statusCode).toBe(400);
    // sign in again with the passkey, in a fresh browser
    const again = new ApiSession(s.app);
    const o = await again.post('/api/account/signin/options', {});
    const v = await again.post('/api/account/signin/verify', await rita.key.get(o.json(), s.origin));
    expect(v.json(), v.body).toEqual({ signedIn: true, account: { name: 'rita', team: 'red', role: 'member' } });
    // a key under test is not an account
    const k = await registerKey(s, rita, 'under-test');
    const o2 = await again.post('/api/account/signin/options', {});
    expect((await new ApiSession(s.app).post('/api/account/signin/verify', await k.key.get(o2.json(), s.origin))).statusCode).toBe(422);
    // and the other way round: the harness passkey offered to a sign-in under test is named as such
    const disc = await rita.api.post('/api/authentication/options', {});
    const wrong = await rita.api.post('/api/authentication/verify', await rita.key.get(disc.json(), s.origin));
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([422, 'CREDENTIAL_UNKNOWN']);
    expect(wrong.json().error.message).toContain('your passkey for signing in to the harness');
    await again.post('/api/account/signout');
    expect((await again.get('/api/credentials')).json().error.code).toBe('ACCOUNT_REQUIRED');
  });

  it('an admin lists and removes people (signed out at once, their passkey no longer signs in); never the last admin; recorded', async () => {
    const { server, admin, red, blue } = await lab();
    expect((await admin.api.get('/api/account/members')).json().members.map((m: { name: string }) => m.name)).toEqual(['ada', 'bert', 'rita']);
    expect((await red.api.get('/api/account/members')).json().members).toEqual([{ name: 'rita', team: 'red', role: 'member' }]);
    expect((await red.api.delete('/api/account/members/bert')).json().error.code).toBe('ADMIN_REQUIRED');
    expect((await admin.api.delete('/api/account/members/nobody')).statusCode).toBe(404);
    const last = await admin.api.delete('/api/account/members/ada');
    expect([last.statusCode, last.json().error.message]).toEqual([409, expect.stringContaining('last admin')]);
    expect((await admin.api.delete('/api/account/members/rita')).statusCode).toBe(204);
    expect((await red.api.get('/api/credentials')).json().error.code).toBe('ACCOUNT_REQUIRED');
    const o = await red.api.post('/api/account/signin/options', {});
    const again = await red.api.post('/api/account/signin/verify', await red.key.get(o.json(), server.origin));
    expect([again.statusCode, again.json().error.code]).toEqual([422, 'CREDENTIAL_UNKNOWN']);
    expect((await blue.api.get('/api/credentials')).statusCode).toBe(200);
    expect((await admin.api.get('/api/account/deletions')).json().deletions[0]).toMatchObject({ kind: 'account', label: 'rita', team: 'red', byName: 'ada' });
  });

  it('signed out, every route but the open ones answers 401 ACCOUNT_REQUIRED', async () => {
    await lab();
    const anon = new ApiSession(s!.app);
    const closed: [string, string, unknown?][] = [
      ['GET', '/api/credentials'], ['GET', '/api/credentials/AAAA/counter-regressions'], ['DELETE', '/api/credentials/AAAA'],
      ['POST', '/api/registration/options', { username: 'x' }], ['POST', '/api/registration/verify', {}], ['POST', '/api/authentication/options', {}], ['POST', '/api/authentication/verify', {}],
      ['POST', '/api/runs', {}], ['GET', '/api/runs'], ['GET', '/api/runs/00000000-0000-0000-0000-000000000000'], ['DELETE', '/api/runs/00000000-0000-0000-0000-000000000000'],
      ['GET', '/api/runs/diff?a=00000000-0000-0000-0000-000000000000&b=00000000-0000-0000-0000-000000000000'], ['GET', '/api/usb/devices'],
      ['POST', '/api/usb/runs', {}], ['GET', '/api/usb/runs/00000000-0000-0000-0000-000000000000'], ['GET', '/api/runs/00000000-0000-0000-0000-000000000000/report.json'],
      ['POST', '/api/runs/00000000-0000-0000-0000-000000000000/steps/register-basic/options', {}], ['POST', '/api/account/invites', {}],
    ];
    for (const [method, url, body] of closed) {
      const r = await anon.request(method as 'GET', url, body);
      expect([r.statusCode, r.json().error.code], `${method} ${url}`).toEqual([401, 'ACCOUNT_REQUIRED']);
    }
    for (const url of ['/api/config', '/api/plan', '/api/account']) expect((await anon.get(url)).statusCode, url).toBe(200);
    expect((await anon.get('/api/account/deletions')).json().error.code).toBe('ACCOUNT_REQUIRED');
    expect((await anon.get('/api/account/members')).json().error.code).toBe('ACCOUNT_REQUIRED');
    expect((await anon.delete('/api/account/members/ada')).json().error.code).toBe('ACCOUNT_REQUIRED');
  });

  it('credentials: another team\'s are not listed, not signed in with, not deleted, their usernames not taken over; an admin sees all', async () => {
    const { server, admin, red, blue } = await lab();
    const mine = await registerKey(server, red, 'red-key');
    expect(mine.statusCode, mine.body).toBe(200);
    const id = mine.json().credential.id as string;
    // listed for red, not for blue; the admin sees it
    expect((await red.api.get('/api/credentials')).json().credentials.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await blue.api.get('/api/credentials')).json().credentials).toEqual([]);
    expect((await blue.api.get('/api/credentials?username=red-key')).json().credentials).toEqual([]);
    expect((await admin.api.get('/api/credentials')).json().credentials).toHaveLength(1);
    // blue cannot register another key to red's user, nor sign in as it
    const taken = await blue.api.post('/api/registration/options', { username: 'red-key' });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'USERNAME_TAKEN']);
    expect((await blue.api.post('/api/authentication/options', { username: 'red-key' })).json().error.code).toBe('USER_UNKNOWN');
    const disc = await blue.api.post('/api/authentication/options', {});
    const asRed = await blue.api.post('/api/authentication/verify', await mine.key.get(disc.json(), server.origin));
    expect([asRed.statusCode, asRed.json().error.code]).toEqual([422, 'CREDENTIAL_UNKNOWN']);
    // red signs in with it
    const o = await red.api.post('/api/authentication/options', { username: 'red-key' });
    expect((await red.api.post('/api/authentication/verify', await mine.key.get(o.json(), server.origin))).statusCode).toBe(200);
    // counter regressions and delete: 404 to blue, and the credential is still there
    expect((await blue.api.get(`/api/credentials/${id}/counter-regressions`)).statusCode).toBe(404);
    expect((await blue.api.delete(`/api/credentials/${id}`)).statusCode).toBe(404);
    expect((await red.api.get('/api/credentials')).json().credentials).toHaveLength(1);
    expect((await red.api.get(`/api/credentials/${id}/counter-regressions`)).statusCode).toBe(200);
    // red deletes it; the record says who
    expect((await red.api.delete(`/api/credentials/${id}`)).statusCode).toBe(204);
    const log = (await red.api.get('/api/account/deletions')).json().deletions;
    expect(log).toEqual([expect.objectContaining({ kind: 'credential', objectId: id, label: 'red-key', team: 'red', byName: 'rita' })]);
    expect((await blue.api.get('/api/account/deletions')).json().deletions).toEqual([]);
    expect((await admin.api.get('/api/account/deletions')).json().deletions).toHaveLength(1);
    // a deleted credential's regression history is nobody's to read through its ID, another team's least
    expect((await blue.api.get(`/api/credentials/${id}/counter-regressions`)).statusCode).toBe(404);
    expect((await red.api.get(`/api/credentials/${id}/counter-regressions`)).statusCode).toBe(404);
  });

  it('names: look-alikes are one name (NFKC, case-folded), invisible and bidi characters refused; sign-in options answer a known and an unknown name alike', async () => {
    const { server, admin } = await lab();
    const again = await register(server, { name: 'Rita', invite: await invite(admin, { team: 'red' }) });
    expect([again.status, again.json.error.code]).toEqual([409, 'ACCOUNT_EXISTS']);
    const wide = await register(server, { name: 'ｒｉｔａ', invite: await invite(admin, { team: 'red' }) });
    expect([wide.status, wide.json.error.code]).toEqual([409, 'ACCOUNT_EXISTS']);
    for (const [name, cp] of [['rita\u200b', '200B'], ['rita\u202e', '202E'], ['\u2066rita', '2066'], ['ri\u00adta', '00AD']]) {
      const r = await register(server, { name, invite: await invite(admin, { team: 'red' }) });
      expect(r.status, name).toBe(400);
      expect(r.json.error.message, name).toContain(`U+${cp}`);
    }
    // signed out: "rita" (a person with one passkey) and "nobody-here" both get one credential ID; the unknown one's is the same each time
    const anon = new ApiSession(server.app);
    const known = (await anon.post('/api/account/signin/options', { name: 'Rita' })).json();
    const unknown1 = (await anon.post('/api/account/signin/options', { name: 'nobody-here' })).json();
    const unknown2 = (await anon.post('/api/account/signin/options', { name: 'nobody-here' })).json();
    expect(known.allowCredentials).toHaveLength(1);
    expect(unknown1.allowCredentials).toHaveLength(1);
    expect(Object.keys(unknown1).sort()).toEqual(Object.keys(known).sort());
    expect(unknown1.allowCredentials).toEqual(unknown2.allowCredentials);
    expect(unknown1.allowCredentials[0].id).not.toEqual(known.allowCredentials[0].id);
  });

  it('runs: another team\'s are not listed, read, stepped, diffed, downloaded or deleted; deletions recorded with who', async () => {
    const { server, admin, red, blue } = await lab();
    const run = (await red.api.post('/api/runs', { label: 'Red Key 5', firmware: '5.1' })).json().id as string;
    const other = (await red.api.post('/api/runs', { label: 'Red Key 5', firmware: '5.2' })).json().id as string;
    const blueRun = (await blue.api.post('/api/runs', { label: 'Blue Key' })).json().id as string;
    expect((await red.api.get('/api/runs')).json().runs.map((r: { id: string }) => r.id).sort()).toEqual([run, other].sort());
    expect((await blue.api.get('/api/runs')).json().runs.map((r: { id: string }) => r.id)).toEqual([blueRun]);
    expect((await admin.api.get('/api/runs')).json().runs).toHaveLength(3);
    for (const [method, url] of [
      ['GET', `/api/runs/${run}`], ['GET', `/api/runs/${run}/report.json`], ['GET', `/api/runs/diff?a=${run}&b=${other}`], ['GET', `/api/runs/diff?a=${blueRun}&b=${run}`],
      ['POST', `/api/runs/${run}/steps/register-basic/options`], ['DELETE', `/api/runs/${run}`],
    ] as const) {
      const r = await blue.api.request(method, url, method === 'POST' ? {} : undefined);
      expect([r.statusCode, r.json().error.code], `${method} ${url}`).toEqual([404, 'RUN_UNKNOWN']);
    }
    const step = await blue.api.post(`/api/runs/${run}/steps/register-basic/result`, { challenge: 'x'.repeat(43), error: { name: 'NotAllowedError', message: 'x' } });
    expect(step.statusCode).toBe(404);
    expect((await red.api.get(`/api/runs/${run}`)).statusCode).toBe(200);
    expect((await red.api.get(`/api/runs/diff?a=${run}&b=${other}`)).statusCode).toBe(200);
    // deleted by its team; the admin deletes blue's; each recorded
    expect((await red.api.delete(`/api/runs/${run}`)).statusCode).toBe(204);
    expect((await red.api.get(`/api/runs/${run}`)).statusCode).toBe(404);
    expect((await admin.api.delete(`/api/runs/${blueRun}`)).statusCode).toBe(204);
    const all = (await admin.api.get('/api/account/deletions')).json().deletions;
    expect(all.map((d: { objectId: string; byName: string; team: string; label: string }) => [d.objectId, d.byName, d.team, d.label])).toEqual([[blueRun, 'ada', 'blue', 'Blue Key'], [run, 'rita', 'red', 'Red Key 5 firmware 5.1']]);
    expect((await blue.api.get('/api/account/deletions')).json().deletions.map((d: { objectId: string }) => d.objectId)).toEqual([blueRun]);
  });

  it('off on loopback by default; on beyond it; with accounts off deletions are still recorded, by client address', async () => {
    s = await startTestServer();
    expect((await new ApiSession(s.app).get('/api/account')).json()).toEqual({ accounts: false, signedIn: false, firstAdmin: false });
    expect((await new ApiSession(s.app).post('/api/account/register/options', { name: 'x' })).json().error.code).toBe('ACCOUNTS_OFF');
    const api = new ApiSession(s.app);
    const run = (await api.post('/api/runs', {})).json().id;
    expect((await api.delete(`/api/runs/${run}`)).statusCode).toBe(204);
    expect(await s.stores.accounts.listDeletions()).toEqual([expect.objectContaining({ kind: 'run', objectId: run, byAccount: null, byName: expect.stringContaining('accounts off') })]);
  });

  it('hostile input to the account routes: a 4xx naming the problem, never a 5xx', async () => {
    const { server } = await lab();
    const anon = new ApiSession(server.app);
    const bodies: unknown[] = ['{', '[]', 'null', { name: '' }, { name: 'x'.repeat(65) }, { name: 'a\u0000b', token: TOKEN }, { name: 'x', invite: 'short' }, { name: 'x', invite: 'y'.repeat(200) }, { name: 'x', extra: 1 }, { name: 5 }, { __proto__: { admin: true }, name: 'x' }];
    for (const b of bodies) {
      const r = await anon.post('/api/account/register/options', b);
      expect(r.statusCode, JSON.stringify(b)).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, JSON.stringify(b)).toBeLessThan(500);
      expect(r.json().error.code).toMatch(/^[A-Z_]+$/);
    }
    for (const url of ['/api/account/register/verify', '/api/account/signin/verify']) {
      for (const b of ['{', {}, { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA', authenticatorData: 'AA', signature: 'AA' } }, { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: '!!!' } }]) {
        const r = await anon.post(url, b);
        expect(r.statusCode, `${url} ${JSON.stringify(b)}`).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, `${url} ${JSON.stringify(b)}`).toBeLessThan(500);
      }
    }
    // a forged session cookie is no session
    const forged = await server.app.inject({ method: 'GET', url: '/api/credentials', headers: { cookie: `fh_acct=${'A'.repeat(43)}` } });
    expect(forged.statusCode).toBe(401);
  });
});
