import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { seededRandom } from '../conformance/src/testing/seededRandom.ts';
import { CEREMONY_PLAN } from '../conformance/src/checks/ceremonyPlan.ts';
import { startTempPostgres, type TempPostgres } from './helpers/postgres.ts';
import { openPostgresStores } from '../server/src/storage/PostgresStores.ts';

/**
 * 100,000 generated hostile requests across every route the server has (seeded: a failure
 * names its seed and index and replays): malformed and deeply nested JSON, huge numbers,
 * prototype keys, wrong types, size edges, invalid UTF-8, content types, duplicate keys, long
 * URLs, path traversal. Every answer is below 500 and well-formed, none hangs, the process does
 * not crash, memory stays bounded. Bounded in time as well as in count.
 */
const SEED = 20261201;
const COUNT = Number(process.env.HOSTILE_COUNT ?? 100_000);
const TIME_LIMIT_MS = 150_000;
const CONCURRENCY = 64;
/** the longest request line node's HTTP parser takes (16 KB of headers by default) */
const MAX_URL = 16_000;

let s: TestServer;
let valid: Record<string, unknown>;
let runId: string;
/** the known-good requests the generator mutates, made against `server` */
async function seedValid(server: TestServer) {
  const api = new ApiSession(server.app);
  const key = new SoftAuthenticator();
  const regOptions = (await api.post('/api/registration/options', { username: 'alice', residentKey: 'required', userVerification: 'required' })).json();
  const reg = await key.create(regOptions, server.origin);
  expect((await api.post('/api/registration/verify', reg)).statusCode).toBe(200);
  const authOptions = (await api.post('/api/authentication/options', { username: 'alice' })).json();
  const auth = await key.get(authOptions, server.origin);
  runId = (await api.post('/api/runs', { label: 'hostile', firmware: '1.0' })).json().id;
  valid = {
    regOptions: { username: 'bob', displayName: 'Bob', residentKey: 'preferred', userVerification: 'preferred', attestation: 'direct', algorithms: [-7, -257], extensions: { credProps: true, prf: { eval: { first: 'AAAA' } } } },
    authOptions: { username: 'alice', userVerification: 'required' },
    reg,
    auth,
    run: { label: 'x', firmware: '1' },
    stepResult: { response: reg },
    usbRun: { device: '/dev/hidraw0', pin: '123456', setPin: false },
    accountOptions: { name: 'ada', team: 'lab', token: 'x'.repeat(30) },
  };
}
beforeAll(async () => {
  s = await startTestServer({ listen: true, nodeHid: async () => { throw new Error('no USB here'); } });
  await seedValid(s);
});
const pgStarted = await startTempPostgres();
const cluster: TempPostgres | undefined = 'skip' in pgStarted ? undefined : pgStarted;
if (!cluster) console.warn(`hostile requests on PostgreSQL skipped: ${(pgStarted as { skip: string }).skip}`);
afterAll(async () => {
  await s?.close();
  await cluster?.stop();
});

type Req = { method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH'; url: string; headers: Record<string, string>; payload?: string | Buffer };

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];
const HUGE = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '1.7976931348623157e309', '0.0000000000000000000000000001', '9007199254740993'];
const STRINGS = ['', 'a', 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(1025), '\u0000', '\ud800', '\uffff', '<script>alert(1)</script>', '../../etc/passwd', '%00', '${jndi:ldap://x}', "'; DROP TABLE users; --", '\u202e', '😀'.repeat(100)];

function generator(seed: number) {
  const rnd = seededRandom(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T,>(a: readonly T[]): T => a[int(a.length)]!;

  const randomJson = (depth: number): unknown => {
    const k = int(depth > 4 ? 6 : 9);
    if (k === 0) return pick(STRINGS);
    if (k === 1) return int(2) ? int(1e9) - 5e8 : rnd() * 1e300;
    if (k === 2) return pick([true, false, null]);
    if (k === 3) return [];
    if (k === 4) return {};
    if (k === 5) return pick(['public-key', 'none', 'required', 'AAAA', 'YWxpY2U']);
    if (k <= 7) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    return Object.fromEntries(Array.from({ length: int(4) }, () => [int(3) ? pick(['id', 'rawId', 'type', 'response', 'username', 'challenge', 'clientDataJSON', 'attestationObject', 'authenticatorData', 'signature']) : pick(PROTO_KEYS), randomJson(depth + 1)]));
  };

  /** A valid body with one member replaced at a random path (wrong type, hostile value, removed). */
  const mutate = (v: unknown, depth = 0): unknown => {
    if (v === null || typeof v !== 'object' || depth > 6 || int(4) === 0) return randomJson(depth);
    if (Array.isArray(v)) {
      if (!v.length) return [randomJson(depth)];
      const i = int(v.length);
      return v.map((x, j) => (j === i ? mutate(x, depth + 1) : x));
    }
    const keys = Object.keys(v);
    if (!keys.length) return { [pick(PROTO_KEYS)]: randomJson(depth) };
    const k = pick(keys);
    const o = { ...(v as Record<string, unknown>) };
    const op = int(5);
    if (op === 0) delete o[k];
    else if (op === 1) o[pick(PROTO_KEYS)] = randomJson(depth);
    else o[k] = mutate(o[k], depth + 1);
    return o;
  };

  /** Raw JSON text with a structural defect the serializer cannot make. */
  const rawText = (body: unknown): string | Buffer => {
    const text = JSON.stringify(body) ?? 'null';
    switch (int(10)) {
      case 0: return `${'['.repeat(1 + int(20_000))}${int(2) ? ']'.repeat(10) : ''}`;
      case 1: return `{"a":${'{"a":'.repeat(int(5000))}1${'}'.repeat(int(5000))}}`;
      case 2: return text.slice(0, int(text.length));
      case 3: return text.replace(/:\s*\d+/, `:${pick(HUGE)}`);
      case 4: return text.replace(/^\{/, '{"username":"a","username":"b","id":1,"id":"x",');
      case 5: return Buffer.concat([Buffer.from(text.slice(0, 10)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(text.slice(10))]);
      case 6: return `${text}${pick([' trailing', ',{}', '\u0000', ']'])}`;
      case 7: return `\ufeff${text}`;
      case 8: return text.replace(/"/g, "'");
      default: return `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},${text.slice(1)}`;
    }
  };

  const id = () => pick(['AAAA', 'x'.repeat(int(3000)), '..%2f..%2fetc%2fpasswd', '%00', '00000000-0000-4000-8000-000000000000', runId, 'not-a-uuid', '-', '%ZZ']);
  const urls = () => {
    const step = pick([...CEREMONY_PLAN.map((p) => p.step), 'nope', '..']);
    return pick([
      ['POST', '/api/registration/options', valid.regOptions],
      ['POST', '/api/registration/verify', valid.reg],
      ['POST', '/api/authentication/options', valid.authOptions],
      ['POST', '/api/authentication/verify', valid.auth],
      ['POST', '/api/runs', valid.run],
      ['POST', '/api/inspect', pick([valid.reg, valid.auth, { response: valid.reg, expectedChallenge: 'x', expectedOrigin: 'http://localhost', captureTime: '2026-01-01T00:00:00Z' }])],
      ['GET', `/api/runs?limit=${pick(['1', '500', '0', '-1', 'x', '1e3'])}&cursor=${pick(['W10', '%00', id(), 'WyIyMDI2IiwiYSJd'])}`, undefined],
      ['POST', `/api/runs/${pick([runId, id()])}/steps/${step}/options`, {}],
      ['POST', `/api/runs/${pick([runId, id()])}/steps/${step}/result`, valid.stepResult],
      ['POST', '/api/usb/runs', valid.usbRun],
      ['GET', `/api/credentials?username=${[...Buffer.from(pick(STRINGS))].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`, undefined],
      ['GET', `/api/credentials/${id()}/counter-regressions`, undefined],
      ['DELETE', `/api/credentials/${id()}`, undefined],
      ['GET', '/api/config', undefined],
      ['GET', '/api/plan', undefined],
      ['GET', `/api/runs?aaguid=${id()}`, undefined],
      ['GET', `/api/runs/${id()}`, undefined],
      ['GET', `/api/runs/${pick([runId, id()])}/report.${pick(['html', 'md', 'json', 'junit', 'exe', '..', ''])}`, undefined],
      ['GET', `/api/runs/diff?a=${id()}&b=${id()}`, undefined],
      ['GET', '/api/usb/devices', undefined],
      ['GET', `/api/usb/runs/${id()}`, undefined],
      ['DELETE', `/api/runs/${pick(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(int(3000)), '%00'])}`, undefined],
      ['GET', '/api/account', undefined],
      ['POST', '/api/account/register/options', valid.accountOptions],
      ['POST', '/api/account/register/verify', valid.reg],
      ['POST', '/api/account/signin/options', {}],
      ['POST', '/api/account/signin/verify', valid.auth],
      ['POST', '/api/account/signout', {}],
      ['POST', '/api/account/invites', { team: 'red', role: 'member' }],
      ['GET', '/api/account/deletions', undefined],
      ['GET', pick(['/', '/run.html', '/index.html', '/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fpackage.json', '/assets/%00', `/${'a'.repeat(int(MAX_URL))}`, '/api/', '/api/nothing', '/.git/config', '/\\..\\..\\windows']), undefined],
    ] as const);
  };

  return (): Req => {
    const [method0, url0, body] = urls();
    let method: Req['method'] = method0;
    let url: string = url0;
    const headers: Record<string, string> = {};
    let payload: string | Buffer | undefined;
    const kind = int(12);
    if (body !== undefined || kind === 11) {
      const b = body ?? {};
      payload = kind <= 5 ? JSON.stringify(mutate(b)) : kind <= 9 ? rawText(kind === 9 ? mutate(b) : b) : JSON.stringify(randomJson(0));
      headers['content-type'] = pick(['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/vnd.api+json', '']);
      if (!headers['content-type']) delete headers['content-type'];
      if (int(200) === 0) payload = `{"username":"${'x'.repeat(256 * 1024 - 15 + int(3))}"}`; // the body limit, ±1
      if (int(200) === 0) payload = JSON.stringify({ username: 'x'.repeat(65_536) });
    }
    if (int(40) === 0) url += `?${'q='.repeat(int(4000))}`;
    if (int(60) === 0) method = pick(['PUT', 'PATCH', 'DELETE']);
    if (int(30) === 0) headers.cookie = pick(['fh_sid=', 'fh_sid=' + 'A'.repeat(5000), 'fh_sid=../../x; fh_sid=y', '\u0000']).replace(/[^\x20-\x7e]/g, '');
    // app.inject has no header size limit; over a socket node answers 431 beyond 16 KB of headers and
    // closes the connection (hardening.test.ts tests that): the URL and a long cookie together stay
    // under it, or the next request on the keep-alive socket would find it closed
    url = url.slice(0, MAX_URL - (headers.cookie?.length ?? 0) - 1024);
    return { method, url, headers, payload };
  };
}

/** One request over a real keep-alive socket (node's HTTP parser in front, as in production); 10 s or it counts as a hang. */
let agent: http.Agent;
/** `cookie`: sent with every request beside whatever cookie the generator made (a signed-in person) */
function send(r: Req, server: TestServer, cookie?: string): Promise<{ statusCode: number; body: string; json(): any }> {
  const port = Number(new URL(server.origin).port);
  return new Promise((resolve, reject) => {
    const body = r.payload === undefined ? undefined : Buffer.isBuffer(r.payload) ? r.payload : Buffer.from(r.payload);
    const req = http.request({ host: '127.0.0.1', port, path: r.url, method: r.method, agent, headers: { host: `localhost:${port}`, ...r.headers, ...(cookie ? { cookie: [cookie, r.headers.cookie].filter(Boolean).join('; ') } : {}), ...(body ? { 'content-length': body.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: res.statusCode!, body: text, json: () => JSON.parse(text) });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` generated requests against `server`; every answer checked; returns what was seen */
async function hammer(server: TestServer, count: number, seed: number, cookie?: string) {
  {
    agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const next = generator(seed);
    const start = performance.now();
    const rssStart = process.memoryUsage().rss;
    let done = 0;
    let maxRss = rssStart;
    const statuses = new Map<number, number>();
    const timing = new Map<string, number>();
    const bad: string[] = [];
    const worker = async () => {
      while (done < count && performance.now() - start < TIME_LIMIT_MS) {
        const i = done++;
        const r = next();
        const t0 = performance.now();
        let res;
        try {
          res = await send(r, server, cookie);
        } catch (e) {
          bad.push(`#${i} ${r.method} ${r.url.slice(0, 80)}: ${(e as Error).message}`);
          continue;
        }
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const cat = `${r.method} ${r.url.split('?')[0]!.replace(/\/[^/]{20,}/g, '/:x').slice(0, 40)}`;
        timing.set(cat, (timing.get(cat) ?? 0) + (performance.now() - t0));
        if (res.statusCode >= 500) bad.push(`#${i} ${r.method} ${r.url.slice(0, 80)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
        else if (r.url.startsWith('/api/') && res.statusCode >= 400) {
          let code: unknown;
          try {
            code = res.json().error?.code;
          } catch {
            code = undefined;
          }
          if (typeof code !== 'string') bad.push(`#${i} ${r.method} ${r.url.slice(0, 80)} -> ${res.statusCode} without an error code: ${res.body.slice(0, 120)}`);
        }
        if (i % 2000 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const elapsed = performance.now() - start;
    if (bad.length) console.log(`hostile failures (${bad.length}):\n${bad.slice(0, 40).join("\n")}`);
    expect(bad.slice(0, 10), `seed ${seed}`).toEqual([]);
    expect(done, `only ${done} requests in ${TIME_LIMIT_MS} ms`).toBeGreaterThanOrEqual(count);
    expect(maxRss - rssStart).toBeLessThan(600 * 1024 * 1024);
    return { statuses, done, elapsed, rss: maxRss - rssStart, timing };
  }
}

describe('100,000 hostile requests', () => {
  it('every answer below 500 and well-formed; no hang, no crash; memory bounded', async () => {
    const { statuses, done, elapsed, rss, timing } = await hammer(s, COUNT, SEED);
    // the mix reached the interesting answers, not one refusal over and over
    for (const code of [200, 400, 404, 415]) expect(statuses.get(code) ?? 0, `status ${code}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(100);
    if (process.env.HOSTILE_TIMING) console.log([...timing].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, t]) => `${k}: ${(t / 1000).toFixed(1)} s`).join('\n'));
    console.log(`hostile: ${done} requests in ${(elapsed / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; RSS +${(rss / 1e6).toFixed(0)} MB`);
  }, 200_000);

  it.skipIf(!cluster)('the same 100,000 on the PostgreSQL store (text cannot hold U+0000 there: refused as on SQLite, never a 500)', async () => {
    const team = await startTestServer({ listen: true, stores: await openPostgresStores(await cluster!.createDatabase()), nodeHid: async () => { throw new Error('no USB here'); } });
    const sqliteValid = { valid, runId };
    try {
      await seedValid(team);
      const { statuses, done, elapsed } = await hammer(team, COUNT, SEED + 3);
      for (const code of [200, 400, 404]) expect(statuses.get(code) ?? 0, `status ${code}: ${JSON.stringify([...statuses])}`).toBeGreaterThan(100);
      console.log(`hostile on PostgreSQL: ${done} requests in ${(elapsed / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    } finally {
      ({ valid, runId } = sqliteValid);
      await team.close();
    }
  }, 200_000);

  it('the same mix against a shared server with accounts on, signed in as a member of one team', async () => {
    const token = 'hostile-startup-token-0123456789';
    const lab = await startTestServer({ listen: true, flags: ['--accounts', 'on', '--token', token], nodeHid: async () => { throw new Error('no USB here'); } });
    try {
      const person = new ApiSession(lab.app);
      const o = await person.post('/api/account/register/options', { name: 'hostile-admin', team: 'lab', token });
      await person.post('/api/account/register/verify', await new SoftAuthenticator().create(o.json(), lab.origin));
      const invite = (await person.post('/api/account/invites', { team: 'red' })).json().code;
      const member = new ApiSession(lab.app);
      const mo = await member.post('/api/account/register/options', { name: 'hostile-member', invite });
      const v = await member.post('/api/account/register/verify', await new SoftAuthenticator().create(mo.json(), lab.origin));
      expect(v.json().account).toEqual({ name: 'hostile-member', team: 'red', role: 'member' });
      const session = v.cookies.find((c) => c.name === 'fh_acct');
      expect(session, v.body).toBeDefined();
      const { statuses } = await hammer(lab, Math.min(COUNT, 20_000), SEED + 1, `fh_acct=${session!.value}`);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
      // signed out, the same mix: refused with ACCOUNT_REQUIRED, never a 5xx
      const anon = await hammer(lab, Math.min(COUNT, 5_000), SEED + 2);
      expect(anon.statuses.get(401) ?? 0).toBeGreaterThan(100);
    } finally {
      await lab.close();
    }
  }, 200_000);
});
