import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempPostgres, type TempPostgres } from '../../../test/helpers/postgres.ts';
import { openPostgresStores, PG_MIGRATIONS, PG_SCHEMA_VERSION } from './PostgresStores.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { storeContract } from './storeContract.ts';

/**
 * The store contract and what only a shared database must do, on a real PostgreSQL server
 * (a throw-away cluster; skipped, saying why, where none can be started).
 */
const started = await startTempPostgres();
const cluster: TempPostgres | undefined = 'skip' in started ? undefined : started;
if (!cluster) console.warn(`PostgreSQL store tests skipped: ${(started as { skip: string }).skip}`);
afterAll(async () => cluster?.stop());

describe.skipIf(!cluster)('PostgreSQL', () => {
  storeContract('PostgreSQL', async () => {
    const url = await cluster!.createDatabase();
    return { stores: await openPostgresStores(url), reopen: () => openPostgresStores(url) };
  });

  describe('PostgreSQL specifics', () => {
    let url: string;
    beforeAll(async () => {
      url = await cluster!.createDatabase();
    });

    it('migrates once when two instances start together, and refuses a database from a newer harness', async () => {
      const [a, b] = await Promise.all([openPostgresStores(url), openPostgresStores(url)]);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      expect((await c.query('SELECT version FROM fido2_harness_schema')).rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      await a.close();
      await b.close();
      await c.query('UPDATE fido2_harness_schema SET version = $1', [PG_SCHEMA_VERSION + 1]);
      await expect(openPostgresStores(url)).rejects.toMatchObject({ code: 'STORE_TOO_NEW', message: expect.stringMatching(/newer than this fido2-harness knows/) });
      await c.query('UPDATE fido2_harness_schema SET version = $1', [PG_SCHEMA_VERSION]);
      await c.end();
    });

    it('a database of schema version 1 (before accounts) is migrated, its data kept', async () => {
      const old = await cluster!.createDatabase();
      const c = new pg.Client({ connectionString: old });
      await c.connect();
      await c.query(PG_MIGRATIONS[0]!);
      await c.query("CREATE TABLE fido2_harness_schema (version INTEGER NOT NULL); INSERT INTO fido2_harness_schema VALUES (1); INSERT INTO users (id, username, display_name, created_at) VALUES ('dQ', 'old', 'Old', 1)");
      await c.end();
      const s = await openPostgresStores(old);
      expect(await s.credentials.getUserByName('old')).toEqual({ id: 'dQ', username: 'old', displayName: 'Old', createdAt: 1, team: null });
      expect(Number((await s.pool.query('SELECT version FROM fido2_harness_schema')).rows[0].version)).toBe(PG_SCHEMA_VERSION);
      await s.close();
    });

    it('an unreachable server is a clear error, not a hang', async () => {
      await expect(openPostgresStores(`postgres://harness@127.0.0.1:${cluster!.port}/no_such_db`)).rejects.toMatchObject({ code: 'STORE_UNREACHABLE', message: expect.stringMatching(/no_such_db/) });
    });

    it('challenges: issued by one instance, taken by another exactly once, even when both try at once', async () => {
      const a = await openPostgresStores(url);
      const b = await openPostgresStores(url);
      const clock = { now: 1_000 };
      const ca = a.challenges!<{ n: number }>({ ttlMs: 500, now: () => clock.now });
      const cb = b.challenges!<{ n: number }>({ ttlMs: 500, now: () => clock.now });
      await ca.issue('ch1', 's1', { n: 1 }, '127.0.0.1');
      expect(await cb.take('ch1', 's1')).toMatchObject({ ok: true, record: { context: { n: 1 }, sessionId: 's1' } });
      expect(await ca.take('ch1', 's1')).toMatchObject({ ok: false, code: 'CHALLENGE_UNKNOWN' });
      for (let i = 0; i < 20; i++) {
        await ca.issue(`race${i}`, 's1', { n: i });
        const both = await Promise.all([ca.take(`race${i}`, 's1'), cb.take(`race${i}`, 's1')]);
        expect(both.filter((r) => r.ok)).toHaveLength(1);
      }
      await ca.issue('other', 's1', { n: 0 });
      expect(await cb.take('other', 's2')).toMatchObject({ ok: false, code: 'CHALLENGE_SESSION_MISMATCH' });
      await ca.issue('late', 's1', { n: 0 });
      clock.now += 501;
      expect(await cb.take('late', 's1')).toMatchObject({ ok: false, code: 'CHALLENGE_EXPIRED' });
      await a.close();
      await b.close();
    });

    it('challenges: a client address past its share is refused, a session keeps its newest, expired ones are swept', async () => {
      const s = await openPostgresStores(url);
      const clock = { now: 5_000 };
      const ch = s.challenges!<null>({ ttlMs: 100, now: () => clock.now, maxPerClient: 3, maxPerSession: 2 });
      await ch.issue('p1', 'sa', null, '192.0.2.1');
      await ch.issue('p2', 'sb', null, '192.0.2.1');
      await ch.issue('p3', 'sc', null, '192.0.2.1');
      await expect(ch.issue('p4', 'sd', null, '192.0.2.1')).rejects.toMatchObject({ code: 'TOO_MANY_CHALLENGES' });
      await ch.issue('q1', 'sx', null, '192.0.2.2');
      await ch.issue('q2', 'sx', null, '192.0.2.2');
      await ch.issue('q3', 'sx', null, '192.0.2.2');
      expect((await ch.take('q1', 'sx')).ok).toBe(false);
      expect((await ch.take('q3', 'sx')).ok).toBe(true);
      clock.now += 101;
      await ch.sweep();
      expect(Number((await s.pool.query('SELECT count(*) AS n FROM challenges')).rows[0].n)).toBe(0);
      await s.close();
    });

    it('challenges: the caps are exact under concurrency across two instances; full, a new session is refused and nobody\'s pending challenge is evicted', async () => {
      const a = await openPostgresStores(url);
      const b = await openPostgresStores(url);
      await a.pool.query('DELETE FROM challenges');
      const clock = { now: 9_000 };
      const limits = { ttlMs: 10_000, now: () => clock.now, maxPerClient: 50, maxEntries: 120, maxPerSession: 64 };
      const ca = a.challenges!<null>(limits);
      const cb = b.challenges!<null>(limits);
      // one address, 200 cookieless requests at once over both instances: exactly 50 issued
      const one = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => (i % 2 ? ca : cb).issue(`c${i}`, `cookieless${i}`, null, '198.51.100.1')));
      expect(one.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
      expect(one.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'TOO_MANY_CHALLENGES')).toBe(true);
      // a victim's pending ceremony, then eight addresses flood at once: the store stops at 120, the victim's challenge stays
      await ca.issue('victim', 'alice', null, '198.51.100.9');
      const flood = await Promise.allSettled(Array.from({ length: 400 }, (_, i) => (i % 2 ? ca : cb).issue(`f${i}`, `flood${i}`, null, `203.0.113.${i % 8}`)));
      expect(flood.filter((r) => r.status === 'fulfilled')).toHaveLength(120 - 51);
      expect(Number((await a.pool.query('SELECT count(*) AS n FROM challenges')).rows[0].n)).toBe(120);
      // full: a session with challenges of its own makes room from them only
      await cb.issue('alice-2', 'alice', null, '198.51.100.9');
      expect(Number((await a.pool.query('SELECT count(*) AS n FROM challenges')).rows[0].n)).toBe(120);
      expect((await cb.take('alice-2', 'alice')).ok).toBe(true);
      await a.pool.query('DELETE FROM challenges');
      await a.close();
      await b.close();
    });

    it('a sign-in judged on own copies commits in one statement: ok, used (replayed elsewhere), stale (credential replaced, nothing consumed), regressed', async () => {
      const a = await openPostgresStores(url);
      const b = await openPostgresStores(url);
      const clock = { now: 20_000 };
      const limits = { ttlMs: 60_000, now: () => clock.now };
      const ca = a.challenges!<{ n: number }>(limits);
      const cb = b.challenges!<{ n: number }>(limits);
      const user = { id: 'b3du', username: 'own-copies', displayName: 'o', createdAt: 1 };
      const cred = (id: string, key: number) => ({ id, userId: user.id, publicKey: new Uint8Array([key]), alg: -7, counter: 0, transports: ['usb'], aaguid: 'x', fmt: 'none', attestationObject: new Uint8Array([1]), clientDataJSON: new Uint8Array([1]), backupEligible: false, backupState: false, discoverable: null, createdAt: 1, lastUsedAt: null, counterRegressions: 0 });
      await a.credentials.addCredential(user, cred('oc1', 1));
      // no copies yet: a challenge this instance did not issue, a credential it never read
      await cb.issue('x0', 's', { n: 0 });
      expect(ca.ownCopies!('x0', 's', 'oc1')).toBeUndefined();
      await ca.issue('x1', 's', { n: 1 });
      expect(ca.ownCopies!('x1', 's', 'oc1')).toBeUndefined();
      // the long way once: the challenge taken and the credential read in one statement
      const first = await ca.takeWithCredential!('x1', 's', 'oc1');
      expect(first).toMatchObject({ taken: { ok: true }, credential: { id: 'oc1', username: 'own-copies', counter: 0 } });
      // now both copies: judged here (another session's is judged a mismatch, as take would)
      await ca.issue('x2', 's', { n: 2 });
      expect(ca.ownCopies!('x2', 'other', 'oc1')!.taken).toMatchObject({ ok: false, code: 'CHALLENGE_SESSION_MISMATCH' });
      const own = ca.ownCopies!('x2', 's', 'oc1')!;
      expect(own.taken).toMatchObject({ ok: true, record: { context: { n: 2 } } });
      expect(await ca.commitSignIn!('x2', own.credential, 5, true, 21_000)).toEqual({ outcome: 'ok', counterRegressions: 0 });
      expect(await b.credentials.getCredential('oc1')).toMatchObject({ counter: 5, backupState: true, lastUsedAt: 21_000 });
      expect((await cb.take('x2', 's')).ok).toBe(false);
      // replayed: another instance consumed the challenge first
      await ca.issue('x3', 's', { n: 3 });
      expect((await cb.take('x3', 's')).ok).toBe(true);
      expect(await ca.commitSignIn!('x3', ca.ownCopies!('x3', 's', 'oc1')?.credential ?? own.credential, 6, false, 1)).toEqual({ outcome: 'used' });
      // the counter rule: a counter not above the stored one is refused, and the challenge is used up
      await ca.issue('x4', 's', { n: 4 });
      expect(await ca.commitSignIn!('x4', own.credential, 5, false, 1)).toEqual({ outcome: 'regressed' });
      expect((await cb.take('x4', 's')).ok).toBe(false);
      // replaced on the other instance (deleted, registered again under the same ID with another key):
      // the copy is stale, nothing is consumed, the counter untouched, and the copy is dropped
      await b.credentials.deleteCredential('oc1');
      await b.credentials.addCredential(user, cred('oc1', 2));
      await ca.issue('x5', 's', { n: 5 });
      expect(await ca.commitSignIn!('x5', own.credential, 9, false, 1)).toEqual({ outcome: 'stale' });
      expect((await b.credentials.getCredential('oc1'))!.counter).toBe(0);
      expect(ca.ownCopies!('x5', 's', 'oc1')).toBeUndefined();
      expect((await ca.takeWithCredential!('x5', 's', 'oc1')).credential!.publicKey).toEqual(new Uint8Array([2]));
      await a.close();
      await b.close();
    });

    it('own-copy commits in one event-loop turn share one statement; a credential twice goes in order into the next', async () => {
      const s = await openPostgresStores(url);
      const limits = { ttlMs: 60_000, now: () => 30_000 };
      const ch = s.challenges!<null>(limits);
      const user = { id: 'Z3Jw', username: 'group-commit', displayName: 'g', createdAt: 1 };
      const creds = [];
      for (let i = 0; i < 40; i++) {
        await s.credentials.addCredential(user, { id: `gc${i}`, userId: user.id, publicKey: new Uint8Array([i]), alg: -7, counter: 0, transports: [], aaguid: 'x', fmt: 'none', attestationObject: new Uint8Array([1]), clientDataJSON: new Uint8Array([1]), backupEligible: false, backupState: false, discoverable: null, createdAt: 1, lastUsedAt: null, counterRegressions: 0 });
        await ch.issue(`warm${i}`, 's', null);
        creds.push((await ch.takeWithCredential!(`warm${i}`, 's', `gc${i}`)).credential!);
      }
      for (let i = 0; i < 42; i++) await ch.issue(`g${i}`, 's', null);
      // count the statements that reach the database (the pool is real; only counted)
      const statements: string[] = [];
      const query = s.pool.query.bind(s.pool);
      (s.pool as { query: unknown }).query = (q: { name?: string }, ...rest: unknown[]) => {
        statements.push(typeof q === 'object' && q?.name ? q.name : 'other');
        return (query as (...a: unknown[]) => unknown)(q, ...rest);
      };
      const outcomes = await Promise.all([
        ...creds.map((c, i) => ch.commitSignIn!(`g${i}`, c, 1, false, 1)),
        // gc0 twice more in the same turn, counters rising: both accepted, in order, in later statements
        ch.commitSignIn!('g40', creds[0]!, 2, false, 2),
        ch.commitSignIn!('g41', creds[0]!, 3, false, 3),
      ]);
      expect(outcomes.every((o) => o.outcome === 'ok')).toBe(true);
      expect(statements).toEqual(['fh_commit_sign_ins', 'fh_commit_sign_ins', 'fh_commit_sign_ins']);
      expect((await s.credentials.getCredential('gc0'))!.counter).toBe(3);
      expect((await s.credentials.getCredential('gc39'))!.counter).toBe(1);
      await s.close();
    });

    it('200 concurrent sign-ins over two pools presenting increasing counters: the stored counter is the highest accepted', async () => {
      const a = await openPostgresStores(url);
      const b = await openPostgresStores(url);
      const user = { id: 'cGc', username: 'pg-counter', displayName: 'pg', createdAt: 1 };
      await a.credentials.addCredential(user, { id: 'pgc', userId: user.id, publicKey: new Uint8Array([1]), alg: -7, counter: 0, transports: [], aaguid: 'x', fmt: 'none', attestationObject: new Uint8Array([1]), clientDataJSON: new Uint8Array([1]), backupEligible: false, backupState: false, discoverable: null, createdAt: 1, lastUsedAt: null, counterRegressions: 0 });
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).credentials.recordUse('pgc', 1 + (i % 50), false, i)));
      expect(results.every((r) => r === 'ok' || r === 'regressed')).toBe(true);
      expect(results.filter((r) => r === 'ok').length).toBeGreaterThanOrEqual(1);
      expect((await b.credentials.getCredential('pgc'))!.counter).toBe(50);
      await a.close();
      await b.close();
    });

    it('the database going away under a running server: 503 STORE_UNREACHABLE (never a 500), and back to normal when it returns', async () => {
      const stores = await openPostgresStores(await cluster!.createDatabase());
      const app = await buildApp({ config: loadConfig(['--port', '8080', '--mds-cache-dir', '/nonexistent-mds-cache'], {}, process.cwd()), stores });
      await app.ready();
      try {
        const get = () => app.inject({ method: 'GET', url: '/api/credentials' });
        const post = () => app.inject({ method: 'POST', url: '/api/registration/options', headers: { 'content-type': 'application/json' }, payload: '{"username":"outage"}' });
        expect((await get()).statusCode).toBe(200);
        cluster!.pause();
        try {
          for (const r of [await get(), await post(), await app.inject({ method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{}' })]) {
            expect([r.statusCode, r.json().error.code], r.body).toEqual([503, 'STORE_UNREACHABLE']);
            expect(r.json().error.message).toMatch(/the database is not answering/);
          }
        } finally {
          cluster!.resume();
        }
        let back = 0;
        for (let i = 0; i < 50 && back !== 200; i++) {
          back = (await get()).statusCode;
          if (back !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(back).toBe(200);
        expect((await post()).statusCode).toBe(200);
      } finally {
        await app.close();
        await stores.close();
      }
    });
  });
});
