import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from './helpers/harnessProcess.ts';
import { HttpBrowser } from './helpers/httpBrowser.ts';
import { startTempPostgres, type TempPostgres } from './helpers/postgres.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';

/**
 * Two server processes on one PostgreSQL database, as behind a reverse proxy: both accept the
 * proxy's origin, and a browser's requests land on either. What one issues the other verifies;
 * a challenge is used once across both; counters stay consistent; kill -9 of one loses nothing
 * it acknowledged.
 */
const started = await startTempPostgres();
const cluster: TempPostgres | undefined = 'skip' in started ? undefined : started;
if (!cluster) console.warn(`multi-instance tests skipped: ${(started as { skip: string }).skip}`);

const ORIGIN = 'http://localhost:18443'; // the reverse proxy's origin, the one clientData carries
const READY = /listening on (http:\/\/localhost:\d+)\/[^]*?store [^\n]*\n/;
type Instance = Awaited<ReturnType<typeof startHarness>>;
let url: string;
let a: Instance;
let b: Instance;
const start = () => startHarness(['serve', '--port', '0', '--store', url, '--origins', ORIGIN], READY);
const base = (i: Instance) => i.match[1]!;

beforeAll(async () => {
  if (!cluster) return;
  url = await cluster.createDatabase();
  [a, b] = await Promise.all([start(), start()]);
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await cluster?.stop();
});

async function register(browser: HttpBrowser, key: SoftAuthenticator, username: string, on: string) {
  const opts = (await browser.post('/api/registration/options', { username }, on)).json;
  return browser.post('/api/registration/verify', await key.create(opts, ORIGIN), on);
}

async function assertion(browser: HttpBrowser, key: SoftAuthenticator, username: string, on: string) {
  const opts = (await browser.post('/api/authentication/options', { username }, on)).json;
  return key.get(opts, ORIGIN);
}

describe.skipIf(!cluster)('two instances, one PostgreSQL database', { timeout: 120_000 }, () => {
  it('register on A, sign in on B; the start line names the store', async () => {
    expect(a.output()).toMatch(/store PostgreSQL 127\.0\.0\.1:\d+\/t\w+/);
    expect(a.output()).not.toContain('harness@');
    const browser = new HttpBrowser(base(a));
    const key = new SoftAuthenticator();
    expect((await register(browser, key, 'alice', base(a))).status).toBe(200);
    const res = await browser.post('/api/authentication/verify', await assertion(browser, key, 'alice', base(b)), base(b));
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    // options from A, verified on B: the challenge lives in the shared database
    const r2 = await browser.post('/api/authentication/verify', await assertion(browser, key, 'alice', base(a)), base(b));
    expect(r2.status).toBe(200);
  });

  it('a response accepted on B is refused when replayed on A, and one challenge verified on both at once succeeds exactly once', async () => {
    const browser = new HttpBrowser(base(a));
    const key = new SoftAuthenticator();
    expect((await register(browser, key, 'bob', base(a))).status).toBe(200);
    const signed = await assertion(browser, key, 'bob', base(a));
    expect((await browser.post('/api/authentication/verify', signed, base(b))).status).toBe(200);
    const replay = await browser.post('/api/authentication/verify', signed, base(a));
    expect([replay.status, replay.json.error.code]).toEqual([422, 'CHALLENGE_UNKNOWN']);
    for (let i = 0; i < 10; i++) {
      const once = await assertion(browser, key, 'bob', base(b));
      const both = await Promise.all([browser.post('/api/authentication/verify', once, base(a)), browser.post('/api/authentication/verify', once, base(b))]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
    }
    // a registration challenge too
    const opts = (await browser.post('/api/registration/options', { username: 'bob-2' }, base(a))).json;
    const created = await new SoftAuthenticator().create(opts, ORIGIN);
    const regs = await Promise.all([browser.post('/api/registration/verify', created, base(a)), browser.post('/api/registration/verify', created, base(b))]);
    expect(regs.map((r) => r.status).sort()).toEqual([200, 422]);
  });

  it('an instance judging on its own copies: a replay, two copies of one response at once, a refused attempt and a credential deleted on the other instance are all caught', async () => {
    const browser = new HttpBrowser(base(a));
    const key = new SoftAuthenticator();
    expect((await register(browser, key, 'carol', base(a))).status).toBe(200);
    // the first sign-in on A reads the credential (the long way); from then on A has its own copies
    expect((await browser.post('/api/authentication/verify', await assertion(browser, key, 'carol', base(a)), base(a))).status).toBe(200);
    const signed = await assertion(browser, key, 'carol', base(a));
    const ok = await browser.post('/api/authentication/verify', signed, base(a));
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.credential.counter).toBe(2);
    const replay = await browser.post('/api/authentication/verify', signed, base(a));
    expect([replay.status, replay.json.error.code]).toEqual([422, 'CHALLENGE_UNKNOWN']);
    // the same response twice at once on the instance that issued it: exactly one 200
    for (let i = 0; i < 5; i++) {
      const once = await assertion(browser, key, 'carol', base(a));
      const both = await Promise.all([browser.post('/api/authentication/verify', once, base(a)), browser.post('/api/authentication/verify', once, base(a))]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
    }
    // a refused attempt uses the challenge up: the honest response to it is refused afterwards
    const honest = await assertion(browser, key, 'carol', base(a));
    const sig = Buffer.from(honest.response.signature, 'base64url');
    sig[sig.length - 1]! ^= 1;
    const forged = { ...honest, response: { ...honest.response, signature: sig.toString('base64url') } };
    expect((await browser.post('/api/authentication/verify', forged, base(a))).json.error.code).toBe('SIGNATURE');
    expect((await browser.post('/api/authentication/verify', honest, base(a))).json.error.code).toBe('CHALLENGE_UNKNOWN');
    // deleted on B while A holds its copy: A refuses the key, as B would
    const pending = await assertion(browser, key, 'carol', base(a));
    const del = await fetch(`${base(b)}/api/credentials/${encodeURIComponent(pending.id)}`, { method: 'DELETE', headers: { cookie: browser.cookie } });
    expect(del.status).toBe(204);
    const gone = await browser.post('/api/authentication/verify', pending, base(a));
    expect([gone.status, gone.json.error.code]).toEqual([422, 'CREDENTIAL_UNKNOWN']);
  });

  it('guided-run step results for one run posted at once, half to each instance: every acknowledged result is in the stored run', async () => {
    const browser = new HttpBrowser(base(a));
    const { id, plan } = (await browser.post('/api/runs', { label: 'race' }, base(a))).json as { id: string; plan: { step: string }[] };
    // each step's options first (a challenge each), then all the results at once: 20 rounds of every step
    let acknowledged = 0;
    for (let round = 0; round < 5; round++) {
      const steps = plan.slice(0, 8).map((p) => p.step);
      const challenges = await Promise.all(steps.map(async (step) => (await browser.post(`/api/runs/${id}/steps/${step}/options`, {}, base(a))).json.challenge as string));
      const results = await Promise.all(steps.map((step, i) => browser.post(`/api/runs/${id}/steps/${step}/result`, { error: { name: 'NotAllowedError', message: `round ${round}` }, challenge: challenges[i] }, i % 2 ? base(b) : base(a))));
      expect(results.map((r) => r.status)).toEqual(steps.map(() => 200));
      acknowledged += results.length;
      const stored = (await browser.get(`/api/runs/${id}/report.json`, base(b))).json as { run: { ceremonies: { step: string; error?: string }[] } };
      // every step answered in this round is there, each with this round's result (a redo replaces, nothing is lost)
      expect(stored.run.ceremonies.map((c) => c.step).sort()).toEqual([...steps].sort());
      expect(stored.run.ceremonies.every((c) => c.error?.endsWith(`round ${round}`))).toBe(true);
    }
    expect(acknowledged).toBe(40);
  });

  it('200 parallel sign-ins split over both instances keep every counter consistent', async () => {
    const users = Array.from({ length: 20 }, (_, i) => ({ name: `load${i}`, key: new SoftAuthenticator(), browser: new HttpBrowser(base(a)) }));
    for (const u of users) expect((await register(u.browser, u.key, u.name, base(a))).status).toBe(200);
    // ten sign-ins per credential signed (counters 1..10 in signing order), then all 200 sent at once, alternating instances
    const signed = await Promise.all(users.flatMap((u) => Array.from({ length: 10 }, async (_, j) => {
      const browser = new HttpBrowser(base(a));
      const on = j % 2 ? base(a) : base(b);
      return { u, browser, on, response: await assertion(browser, u.key, u.name, on) };
    })));
    const results = await Promise.all(signed.map(async (s) => ({ s, r: await s.browser.post('/api/authentication/verify', s.response, s.on === base(a) ? base(b) : base(a)) })));
    expect(results.filter(({ r }) => r.status >= 500)).toEqual([]);
    for (const u of users) {
      const mine = results.filter(({ s }) => s.u === u);
      const accepted = mine.filter(({ r }) => r.status === 200).map(({ r }) => r.json.credential.counter as number);
      const refused = mine.filter(({ r }) => r.status !== 200);
      for (const { r } of refused) expect([r.status, r.json.error.code]).toEqual([422, 'SIGN_COUNT']);
      expect(new Set(accepted).size, `${u.name}: no counter accepted twice`).toBe(accepted.length);
      const list = (await u.browser.get(`/api/credentials?username=${u.name}`, base(b))).json.credentials;
      expect(list[0].counter, u.name).toBe(Math.max(...accepted));
      expect(list[0].counterRegressions, u.name).toBe(refused.length);
    }
    expect(results.filter(({ r }) => r.status === 200).length).toBeGreaterThanOrEqual(20);
  });

  it('kill -9 of one instance right after acknowledged writes: the other has every one of them', async () => {
    const users = Array.from({ length: 5 }, (_, i) => ({ name: `durable${i}`, key: new SoftAuthenticator(), browser: new HttpBrowser(base(a)) }));
    const regs = await Promise.all(users.map((u) => register(u.browser, u.key, u.name, base(a))));
    expect(regs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const acks = await Promise.all(users.map(async (u) => (await u.browser.post('/api/authentication/verify', await assertion(u.browser, u.key, u.name, base(a)), base(a))).json.credential.counter as number));
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    for (const [i, u] of users.entries()) {
      const list = (await u.browser.get(`/api/credentials?username=${u.name}`, base(b))).json.credentials;
      expect(list[0].counter, u.name).toBe(acks[i]);
    }
    // and a replay of an acknowledged counter is refused by the survivor
    const u = users[0]!;
    const opts = (await u.browser.post('/api/authentication/options', { username: u.name }, base(b))).json;
    const replay = await u.browser.post('/api/authentication/verify', await u.key.get(opts, ORIGIN, { signCount: acks[0]! }), base(b));
    expect([replay.status, replay.json.error.code]).toEqual([422, 'SIGN_COUNT']);
    a = await start();
  });

  it('accounts: signed in on one instance is signed in on the other; a sign-out on either ends it everywhere', async () => {
    const db = await cluster!.createDatabase();
    const token = 'multi-instance-token-0123456789';
    const flags = ['serve', '--port', '0', '--store', db, '--origins', ORIGIN, '--accounts', 'on', '--token', token];
    const [c, d] = await Promise.all([startHarness(flags, READY), startHarness(flags, READY)]);
    try {
      const browser = new HttpBrowser(base(c));
      const key = new SoftAuthenticator();
      const opts = (await browser.post('/api/account/register/options', { name: 'ada', team: 'lab', token }, base(c))).json;
      expect((await browser.post('/api/account/register/verify', await key.create(opts, ORIGIN), base(d))).json).toMatchObject({ signedIn: true });
      expect((await browser.get('/api/account', base(c))).json).toMatchObject({ signedIn: true, account: { name: 'ada', team: 'lab' } });
      expect((await browser.get('/api/credentials', base(d))).status).toBe(200);
      const signedInCookie = browser.cookie;
      await browser.post('/api/account/signout', {}, base(d));
      // the old cookie replayed on the other instance: the session is gone from the shared database
      browser.cookie = signedInCookie;
      expect((await browser.get('/api/credentials', base(c))).status).toBe(401);
    } finally {
      await c.stop();
      await d.stop();
    }
  });
});
