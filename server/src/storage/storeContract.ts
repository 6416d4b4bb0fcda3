import { afterEach, describe, expect, it } from 'vitest';
import { StoreConflict } from './CredentialStore.ts';
import { AccountConflict } from './AccountStore.ts';
import type { Stores, StoredRun } from './RunStore.ts';

/**
 * The store contract: every implementation (SQLite, in-memory, PostgreSQL) runs this suite.
 * `open` gives fresh, empty stores; `reopen` (when the store persists) opens the same data again
 * after the first handle is closed, to show that what resolved was committed.
 */
export interface StoreUnderTest {
  stores: Stores;
  reopen?: () => Promise<Stores>;
  dispose?: () => Promise<void>;
}

const user = { id: 'dXNlcg', username: 'alice', displayName: 'Alice', createdAt: 1 };
const cred = (id: string, userId = user.id) => ({
  id, userId, publicKey: new Uint8Array([1, 2, 3]), alg: -7, counter: 0, transports: ['usb', 'nfc'], aaguid: '00000000-0000-0000-0000-000000000000',
  fmt: 'packed', attestationObject: new Uint8Array([9, 9]), clientDataJSON: new Uint8Array([7]), backupEligible: false, backupState: false,
  discoverable: true, createdAt: 2, lastUsedAt: null, counterRegressions: 0,
});
const run = (id: string, startedAt: string, aaguid: string | null = 'a'): StoredRun => ({
  id, aaguid, label: `run ${id}`, firmware: null, via: 'physical', startedAt, verdict: null,
  evidence: { schemaVersion: 1, id, startedAt, subject: { label: `run ${id}`, via: 'physical' }, rpId: 'localhost', origin: 'http://localhost', ceremonies: [] },
});

async function conflict(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof StoreConflict || e instanceof AccountConflict ? e.reason : `not a StoreConflict: ${String(e)}`;
  }
  return 'no conflict';
}

export function storeContract(name: string, open: () => Promise<StoreUnderTest>) {
  describe(`store contract: ${name}`, () => {
    const opened: StoreUnderTest[] = [];
    const fresh = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) {
        await s.stores.close();
        await s.dispose?.();
      }
    });

    it('stores users, credentials and the raw registration evidence', async () => {
      const s = await fresh();
      const c = s.stores.credentials;
      await c.addCredential(user, cred('c1'));
      await c.addCredential(user, cred('c2'));
      // made with accounts off: nobody's team
      expect(await c.getUserByName('alice')).toEqual({ ...user, team: null });
      expect(await c.getUserById(user.id)).toEqual({ ...user, team: null });
      expect(await c.getCredential('c1')).toMatchObject({ id: 'c1', username: 'alice', transports: ['usb', 'nfc'], discoverable: true, publicKey: new Uint8Array([1, 2, 3]), counter: 0, counterRegressions: 0 });
      expect(await c.getRegistrationEvidence('c2')).toEqual({ attestationObject: new Uint8Array([9, 9]), clientDataJSON: new Uint8Array([7]) });
      expect((await c.listCredentials(user.id)).map((x) => x.id)).toEqual(['c1', 'c2']);
      expect((await c.listCredentials()).map((x) => x.id)).toEqual(['c1', 'c2']);
      expect(await c.getCredential('nope')).toBeUndefined();
      expect(await c.getUserByName('nobody')).toBeUndefined();
      if (s.reopen) {
        await s.stores.close();
        const b = await s.reopen();
        s.stores = b;
        expect(await b.credentials.getCredential('c1')).toMatchObject({ id: 'c1', username: 'alice' });
      }
    });

    it('a duplicate credential ID is refused (CREDENTIAL_EXISTS) and leaves the store as it was', async () => {
      const c = (await fresh()).stores.credentials;
      await c.addCredential(user, cred('c1'));
      expect(await conflict(c.addCredential({ ...user, id: 'b3RoZXI', username: 'bob' }, cred('c1', 'b3RoZXI')))).toBe('CREDENTIAL_EXISTS');
      expect(await c.getUserByName('bob')).toBeUndefined();
      expect(await c.listCredentials()).toHaveLength(1);
    });

    it('one user handle per username: a second handle for a taken username is refused (USERNAME_TAKEN), nothing written', async () => {
      const c = (await fresh()).stores.credentials;
      await c.addCredential(user, cred('c1'));
      expect(await conflict(c.addCredential({ ...user, id: 'c2Vjb25k' }, cred('c2', 'c2Vjb25k')))).toBe('USERNAME_TAKEN');
      expect(await c.getCredential('c2')).toBeUndefined();
      expect(await c.getUserById('c2Vjb25k')).toBeUndefined();
      // the same handle adds a second credential to the account
      await c.addCredential(user, cred('c3'));
      expect((await c.listCredentials(user.id)).map((x) => x.id)).toEqual(['c1', 'c3']);
    });

    it('many concurrent first registrations of one username: exactly one user, every loser refused with USERNAME_TAKEN', async () => {
      const c = (await fresh()).stores.credentials;
      const tries = Array.from({ length: 20 }, (_, i) => c.addCredential({ ...user, id: `aGFuZGxl${i}` }, cred(`k${i}`, `aGFuZGxl${i}`)).then(() => 'ok', (e) => (e instanceof StoreConflict ? e.reason : String(e))));
      const results = await Promise.all(tries);
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'USERNAME_TAKEN')).toHaveLength(19);
      expect(await c.listCredentials()).toHaveLength(1);
    });

    it('counters: an increase is stored, a repeat or decrease is refused without writing, and 0 stays acceptable for counterless keys', async () => {
      const s = await fresh();
      const c = s.stores.credentials;
      await c.addCredential(user, cred('c1'));
      await c.addCredential(user, cred('zero'));
      expect(await c.recordUse('c1', 5, true, 100)).toBe('ok');
      expect(await c.getCredential('c1')).toMatchObject({ counter: 5, backupState: true, lastUsedAt: 100 });
      expect(await c.recordUse('c1', 5, false, 101)).toBe('regressed');
      expect(await c.recordUse('c1', 4, false, 102)).toBe('regressed');
      expect(await c.getCredential('c1')).toMatchObject({ counter: 5, backupState: true, lastUsedAt: 100 });
      expect(await c.recordUse('zero', 0, false, 103)).toBe('ok');
      expect(await c.recordUse('zero', 0, false, 104)).toBe('ok');
      expect(await c.recordUse('missing', 1, false, 105)).toBe('unknown');
      if (s.reopen) {
        await s.stores.close();
        s.stores = await s.reopen();
        expect(await s.stores.credentials.getCredential('c1')).toMatchObject({ counter: 5, lastUsedAt: 100 });
      }
    });

    it('two concurrent sign-ins presenting the same counter: exactly one is accepted', async () => {
      const c = (await fresh()).stores.credentials;
      await c.addCredential(user, cred('c1'));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.recordUse('c1', 7, false, 200 + i)));
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'regressed')).toHaveLength(9);
      expect((await c.getCredential('c1'))!.counter).toBe(7);
    });

    it('regressions are counted on the record and logged; delete forgets the credential everywhere', async () => {
      const c = (await fresh()).stores.credentials;
      await c.addCredential(user, cred('c1'));
      await c.getCredential('c1');
      await c.recordCounterRegression({ credentialId: 'c1', stored: 9, received: 3, at: 5 });
      expect((await c.getCredential('c1'))!.counterRegressions).toBe(1);
      expect(await c.listCounterRegressions('c1')).toEqual([{ credentialId: 'c1', stored: 9, received: 3, at: 5 }]);
      expect(await c.deleteCredential('c1')).toBe(true);
      expect(await c.getCredential('c1')).toBeUndefined();
      expect(await c.deleteCredential('c1')).toBe(false);
    });

    it('returns copies: a caller cannot change what the store holds', async () => {
      const c = (await fresh()).stores.credentials;
      await c.addCredential(user, cred('c1'));
      const got = (await c.getCredential('c1'))!;
      got.counter = 99;
      got.transports.push('ble');
      expect(await c.getCredential('c1')).toMatchObject({ counter: 0, transports: ['usb', 'nfc'] });
    });

    it('runs: saved with their evidence, replaced by id, listed newest first and by AAGUID', async () => {
      const s = await fresh();
      const r = s.stores.runs;
      await r.saveRun(run('r1', '2026-01-01T00:00:00.000Z'));
      await r.saveRun(run('r2', '2026-01-02T00:00:00.000Z', 'b'));
      await r.saveRun({ ...run('r1', '2026-01-01T00:00:00.000Z'), verdict: 'pass', firmware: '1.2' });
      expect(await r.getRun('r1')).toMatchObject({ id: 'r1', verdict: 'pass', firmware: '1.2', evidence: { id: 'r1', subject: { label: 'run r1' } } });
      expect(await r.getRun('nope')).toBeUndefined();
      expect((await r.listRuns({ limit: 500 })).map((x) => x.id)).toEqual(['r2', 'r1']);
      expect((await r.listRuns({ aaguid: 'a', limit: 500 })).map((x) => x.id)).toEqual(['r1']);
      // the list is summaries: no evidence travels with it
      expect((await r.listRuns({ limit: 500 }))[0]).not.toHaveProperty('evidence');
      if (s.reopen) {
        await s.stores.close();
        s.stores = await s.reopen();
        expect((await s.stores.runs.getRun('r2'))?.evidence.startedAt).toBe('2026-01-02T00:00:00.000Z');
      }
    });

    it('runs: filtered by team before the page is cut (another team\'s new runs never push one\'s own out); pages follow each other without gaps or repeats', async () => {
      const s = await fresh();
      const r = s.stores.runs;
      // team red: 30 older runs; team blue: 600 newer ones, two of them at the same instant as a red one
      for (let i = 0; i < 30; i++) await r.saveRun({ ...run(`red-${String(i).padStart(2, '0')}`, `2026-05-01T00:00:${String(i).padStart(2, '0')}.000Z`), team: 'red' });
      for (let i = 0; i < 600; i++) await r.saveRun({ ...run(`blue-${String(i).padStart(3, '0')}`, `2026-06-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`, 'b'), team: 'blue' });
      await r.saveRun({ ...run('blue-same', '2026-05-01T00:00:07.000Z'), team: 'blue' });
      const red = await r.listRuns({ team: 'red', limit: 500 });
      expect(red.map((x) => x.id)).toEqual(Array.from({ length: 30 }, (_, i) => `red-${String(29 - i).padStart(2, '0')}`));
      // every team's runs, page by page: 631 runs in pages of 100, each once, newest first
      const seen: string[] = [];
      let after: { startedAt: string; id: string } | undefined;
      for (;;) {
        const page = await r.listRuns({ limit: 100, after });
        seen.push(...page.map((x) => x.id));
        if (page.length < 100) break;
        after = { startedAt: page[99]!.startedAt, id: page[99]!.id };
      }
      expect(seen).toHaveLength(631);
      expect(new Set(seen).size).toBe(631);
      expect(seen.slice(0, 2)).toEqual(['blue-599', 'blue-598']);
      // runs of one instant are ordered by id, and the cursor continues between them
      const tie = seen.indexOf('blue-same');
      expect(seen.slice(tie, tie + 2)).toEqual(['blue-same', 'red-07']);
      const cut = await r.listRuns({ limit: 1, after: { startedAt: '2026-05-01T00:00:07.000Z', id: 'blue-same' } });
      expect(cut.map((x) => x.id)).toEqual(['red-07']);
      expect(await r.listRuns({ team: 'nobody', limit: 10 })).toEqual([]);
    });

    it('U+0000 in any text is refused alike on every store (400, naming where), and nothing is written', async () => {
      const s = await fresh();
      const bad = (p: Promise<unknown>) => p.then(() => 'written', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`);
      expect(await bad(s.stores.credentials.addCredential({ ...user, username: 'nul\u0000user' }, cred('nul-cred')))).toMatch(/^BAD_INPUT: credentials\.addCredential: argument 1\.username holds U\+0000/);
      expect(await s.stores.credentials.getCredential('nul-cred')).toBeUndefined();
      expect(await bad(s.stores.runs.saveRun({ ...run('nul-run', '2026-01-01T00:00:00.000Z'), label: 'a\u0000b' }))).toMatch(/^BAD_INPUT: runs\.saveRun: argument 1\.label holds U\+0000/);
      expect(await s.stores.runs.getRun('nul-run')).toBeUndefined();
      expect(await bad(s.stores.credentials.getUserByName('x\u0000'))).toMatch(/^BAD_INPUT/);
      // text that merely looks odd is kept as it is
      await s.stores.runs.saveRun({ ...run('odd', '2026-01-01T00:00:00.000Z'), label: 'tab\there \u202e' });
      expect((await s.stores.runs.getRun('odd'))!.label).toBe('tab\there \u202e');
    });

    it('runs: 40 step results recorded on one run at once all land (read, change and write are one step); a missing run is undefined', async () => {
      const s = await fresh();
      const r = s.stores.runs;
      await r.saveRun(run('race', '2026-04-01T00:00:00.000Z'));
      const step = (i: number) => ({ step: `step-${i}`, kind: 'registration' as const, options: {}, error: { name: 'NotAllowedError', message: `${i}` }, at: '2026-04-01T00:00:00.000Z' });
      const written = await Promise.all(Array.from({ length: 40 }, (_, i) => r.updateRun('race', (cur) => ({ ...cur, evidence: { ...cur.evidence, ceremonies: [...cur.evidence.ceremonies, step(i) as never] } }))));
      expect(written.every((w) => w?.id === 'race')).toBe(true);
      const stored = await r.getRun('race');
      expect(stored!.evidence.ceremonies.map((c) => c.step).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `step-${i}`).sort());
      expect(await r.updateRun('no-such-run', (cur) => cur)).toBeUndefined();
      // a change that throws writes nothing
      await expect(r.updateRun('race', () => { throw new Error('refused'); })).rejects.toThrow('refused');
      expect((await r.getRun('race'))!.evidence.ceremonies).toHaveLength(40);
    });

    it('teams: a user, its credentials and a run carry the team they were made by; runs are deleted', async () => {
      const s = await fresh();
      await s.stores.credentials.addCredential({ ...user, team: 'red' }, cred('t1'));
      expect(await s.stores.credentials.getUserByName('alice')).toMatchObject({ team: 'red' });
      expect(await s.stores.credentials.getCredential('t1')).toMatchObject({ team: 'red' });
      expect((await s.stores.credentials.listCredentials())[0]).toMatchObject({ team: 'red' });
      await s.stores.runs.saveRun({ ...run('tr', '2026-03-01T00:00:00.000Z'), team: 'red' });
      await s.stores.runs.saveRun(run('nobody', '2026-03-02T00:00:00.000Z'));
      expect(await s.stores.runs.getRun('tr')).toMatchObject({ team: 'red' });
      expect(await s.stores.runs.getRun('nobody')).toMatchObject({ team: null });
      expect(await s.stores.runs.deleteRun('tr')).toBe(true);
      expect(await s.stores.runs.deleteRun('tr')).toBe(false);
      expect(await s.stores.runs.getRun('tr')).toBeUndefined();
    });

    it('accounts: one first admin (also when two try at once), invites used once and not after they expire, unique names', async () => {
      const s = await fresh();
      const a = s.stores.accounts;
      const acct = (id: string, name = id) => ({ id, name, team: 'lab', role: 'admin' as const, createdAt: 1 });
      const pk = (id: string, accountId: string) => ({ id, accountId, publicKey: new Uint8Array([5, 6]), counter: 0, createdAt: 1 });
      expect(await a.hasAccounts()).toBe(false);
      const firsts = await Promise.all([a.createFirstAdmin(acct('a1'), pk('p1', 'a1')).then(() => 'ok', (e) => (e instanceof AccountConflict ? e.reason : String(e))), a.createFirstAdmin(acct('a2'), pk('p2', 'a2')).then(() => 'ok', (e) => (e instanceof AccountConflict ? e.reason : String(e)))]);
      expect(firsts.sort()).toEqual(['ACCOUNT_EXISTS', 'ok']);
      expect(await a.hasAccounts()).toBe(true);
      const admin = (await a.getAccount('a1')) ?? (await a.getAccount('a2'))!;
      expect(admin).toMatchObject({ role: 'admin', team: 'lab' });
      await a.createInvite({ codeHash: 'h1', team: 'blue', role: 'member', createdBy: admin.id, expiresAt: 100 });
      expect([await a.inviteUsable('h1', 50), await a.inviteUsable('h1', 101), await a.inviteUsable('nope', 50)]).toEqual([true, false, false]);
      const joined = await a.createWithInvite('h1', 50, { id: 'm1', name: 'mia', createdAt: 2 }, pk('pm1', 'm1'));
      expect(joined).toEqual({ id: 'm1', name: 'mia', team: 'blue', role: 'member', createdAt: 2 });
      expect(await conflict(a.createWithInvite('h1', 50, { id: 'm2', name: 'max', createdAt: 2 }, pk('pm2', 'm2')))).toBe('INVITE_INVALID');
      expect(await a.inviteUsable('h1', 50)).toBe(false);
      await a.createInvite({ codeHash: 'h2', team: 'blue', role: 'member', createdBy: admin.id, expiresAt: 100 });
      expect(await conflict(a.createWithInvite('h2', 101, { id: 'm3', name: 'max', createdAt: 2 }, pk('pm3', 'm3')))).toBe('INVITE_INVALID');
      expect(await conflict(a.createWithInvite('h2', 60, { id: 'm4', name: 'mia', createdAt: 2 }, pk('pm4', 'm4')))).toBe('ACCOUNT_NAME_TAKEN');
      // the refused attempt left the invite unused
      expect((await a.createWithInvite('h2', 60, { id: 'm5', name: 'max', createdAt: 2 }, pk('pm5', 'm5'))).team).toBe('blue');
      expect(await a.getAccount('m4')).toBeUndefined();
      expect(await conflict(a.createWithInvite('nope', 1, { id: 'm6', name: 'zed', createdAt: 2 }, pk('pm6', 'm6')))).toBe('INVITE_INVALID');
    });

    it('accounts: passkeys with forward-only counters, sessions that expire and end, deletions recorded per team', async () => {
      const s = await fresh();
      const a = s.stores.accounts;
      await a.createFirstAdmin({ id: 'ad', name: 'ada', team: 'lab', role: 'admin', createdAt: 1 }, { id: 'pk', accountId: 'ad', publicKey: new Uint8Array([1, 2]), counter: 0, createdAt: 1 });
      expect(await a.getPasskey('pk')).toEqual({ id: 'pk', accountId: 'ad', publicKey: new Uint8Array([1, 2]), counter: 0, createdAt: 1 });
      expect(await a.passkeyIdsOf('ada')).toEqual(['pk']);
      expect(await a.passkeyIdsOf('nobody')).toEqual([]);
      expect(await a.recordPasskeyUse('pk', 3)).toBe('ok');
      expect(await a.recordPasskeyUse('pk', 3)).toBe('regressed');
      expect(await a.recordPasskeyUse('none', 3)).toBe('unknown');
      expect((await a.getPasskey('pk'))!.counter).toBe(3);
      await a.createSession('sess', 'ad', 1000);
      expect(await a.sessionAccount('sess', 999)).toMatchObject({ id: 'ad', name: 'ada' });
      expect(await a.sessionAccount('sess', 1001)).toBeUndefined();
      expect(await a.sessionAccount('other', 1)).toBeUndefined();
      await a.deleteSession('sess');
      expect(await a.sessionAccount('sess', 1)).toBeUndefined();
      // removing an account signs it out and forgets its passkeys
      await a.createSession('gone', 'ad', 10_000);
      expect((await a.listAccounts()).map((x) => x.name)).toEqual(['ada']);
      expect(await a.removeAccount('ada')).toBe(true);
      expect(await a.removeAccount('ada')).toBe(false);
      expect(await a.sessionAccount('gone', 1)).toBeUndefined();
      expect(await a.getPasskey('pk')).toBeUndefined();
      expect(await a.listAccounts()).toEqual([]);
      await a.createFirstAdmin({ id: 'ad', name: 'ada', team: 'lab', role: 'admin', createdAt: 1 }, { id: 'pk', accountId: 'ad', publicKey: new Uint8Array([1, 2]), counter: 0, createdAt: 1 });
      // the sweep forgets what expired, and only that
      await a.createSession('old', 'ad', 100);
      await a.createSession('new', 'ad', 10_000);
      await a.createInvite({ codeHash: 'stale', team: 'lab', role: 'member', createdBy: 'ad', expiresAt: 100 });
      await a.sweep(500);
      expect(await a.sessionAccount('old', 50)).toBeUndefined();
      expect(await a.sessionAccount('new', 50)).toMatchObject({ id: 'ad' });
      expect(await conflict(a.createWithInvite('stale', 50, { id: 'late', name: 'late', createdAt: 2 }, { id: 'pl', accountId: 'late', publicKey: new Uint8Array([1]), counter: 0, createdAt: 2 }))).toBe('INVITE_INVALID');
      await a.recordDeletion({ kind: 'credential', objectId: 'c1', label: 'alice', team: 'red', byAccount: 'ad', byName: 'ada', at: 5 });
      await a.recordDeletion({ kind: 'run', objectId: 'r1', label: 'Key 5', team: 'blue', byAccount: null, byName: '127.0.0.1', at: 6 });
      await a.recordDeletion({ kind: 'run', objectId: 'r2', label: 'Key 6', team: 'blue', byAccount: null, byName: '127.0.0.1', at: 6 });
      // newest first; at the same millisecond, the later one first
      expect((await a.listDeletions()).map((d) => d.objectId)).toEqual(['r2', 'r1', 'c1']);
      expect(await a.listDeletions('red')).toEqual([{ kind: 'credential', objectId: 'c1', label: 'alice', team: 'red', byAccount: 'ad', byName: 'ada', at: 5 }]);
    });
  });
}
