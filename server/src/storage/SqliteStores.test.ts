import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openSqliteStores, SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './SqliteStores.ts';
import { storeContract } from './storeContract.ts';
import { workerCommitter } from './sqliteCounterCommits.ts';
import { spawnSync } from 'node:child_process';
import type { CredentialRecord, RegistrationEvidence } from './CredentialStore.ts';

const tmpFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fh-store-')), 'db.sqlite');

storeContract('SQLite', async () => {
  const file = tmpFile();
  return { stores: openSqliteStores(file), reopen: async () => openSqliteStores(file), dispose: async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }) };
});

const credential = (id: string): CredentialRecord & RegistrationEvidence => ({ id, userId: 'dQ', publicKey: new Uint8Array([1]), alg: -7, counter: 0, transports: [], aaguid: 'x', fmt: 'none', attestationObject: new Uint8Array([1]), clientDataJSON: new Uint8Array([1]), backupEligible: false, backupState: false, discoverable: null, createdAt: 1, lastUsedAt: null, counterRegressions: 0 });
const countersInFile = (file: string) => {
  const db = new DatabaseSync(file);
  const rows = db.prepare('SELECT id, counter FROM credentials ORDER BY id').all() as { id: string; counter: number }[];
  db.close();
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.counter)]));
};

describe('SQLite counter commits on a thread of their own', () => {
  it('bursts over many turns: every update acknowledged, in the file, and seen by bulk reads taken while batches are in flight', async () => {
    const file = tmpFile();
    const s = openSqliteStores(file);
    const ids = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    for (const id of ids) await s.credentials.addCredential({ id: 'dQ', username: 'u', displayName: 'u', createdAt: 1 }, credential(id));
    const acks: Promise<string>[] = [];
    for (let turn = 1; turn <= 10; turn++) {
      for (const id of ids) acks.push(s.credentials.recordUse(id, turn, false, turn));
      // a bulk read in the middle of it: it waits for what was recorded before it
      if (turn === 5) expect((await s.credentials.listCredentials()).map((c) => c.counter)).toEqual(ids.map(() => 5));
      await new Promise((r) => setImmediate(r));
    }
    expect(new Set(await Promise.all(acks))).toEqual(new Set(['ok']));
    expect(countersInFile(file)).toEqual(Object.fromEntries(ids.map((id) => [id, 10])));
    // a regression is still refused against the in-process view, in flight or not
    expect(await s.credentials.recordUse('c00', 10, false, 11)).toBe('regressed');
    await s.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('close waits for the batch in flight; delete waits too and then removes the row', async () => {
    const file = tmpFile();
    const s = openSqliteStores(file);
    for (const id of ['a', 'b']) await s.credentials.addCredential({ id: 'dQ', username: 'u', displayName: 'u', createdAt: 1 }, credential(id));
    const a = s.credentials.recordUse('a', 7, false, 1);
    const b = s.credentials.recordUse('b', 3, false, 1);
    expect(await s.credentials.deleteCredential('b')).toBe(true);
    expect(await b).toBe('ok');
    await s.close();
    expect(await a).toBe('ok');
    expect(countersInFile(file)).toEqual({ a: 7 });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('a batch that fails is reported to its callers, and the thread goes on committing the next', async () => {
    const file = tmpFile();
    const db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL; CREATE TABLE credentials (id TEXT PRIMARY KEY, counter INTEGER, backup_state INTEGER, last_used_at INTEGER)');
    db.exec("INSERT INTO credentials VALUES ('x', 0, 0, 0)");
    const c = workerCommitter(file);
    await c.commit([{ id: 'x', counter: 1, backupState: false, at: 1 }]);
    // a constraint the update breaks: the whole batch is rolled back
    db.exec("CREATE TRIGGER no_big BEFORE UPDATE ON credentials WHEN NEW.counter > 100 BEGIN SELECT RAISE(ABORT, 'counter too big'); END");
    await expect(c.commit([{ id: 'x', counter: 2, backupState: false, at: 2 }, { id: 'x', counter: 101, backupState: false, at: 3 }])).rejects.toThrow(/not committed: counter too big/);
    expect(Number((db.prepare('SELECT counter FROM credentials').get() as { counter: number }).counter)).toBe(1);
    await c.commit([{ id: 'x', counter: 3, backupState: true, at: 4 }]);
    expect(db.prepare('SELECT counter, backup_state FROM credentials').get()).toEqual({ counter: 3, backup_state: 1 });
    await c.close();
    await expect(c.commit([{ id: 'x', counter: 4, backupState: false, at: 5 }])).rejects.toThrow(/closed/);
    db.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('an idle commit thread does not keep a process alive: a program that forgets to close its store still exits', () => {
    const file = tmpFile();
    const script = path.join(path.dirname(file), 'forgets-to-close.ts');
    fs.writeFileSync(script, `
      import { openSqliteStores } from ${JSON.stringify(new URL('./SqliteStores.ts', import.meta.url).href)};
      const s = openSqliteStores(${JSON.stringify(file)});
      const bytes = new Uint8Array([1]);
      await s.credentials.addCredential({ id: 'dQ', username: 'u', displayName: 'u', createdAt: 1 }, { ...${JSON.stringify({ ...credential('k'), publicKey: 0, attestationObject: 0, clientDataJSON: 0 })}, publicKey: bytes, attestationObject: bytes, clientDataJSON: bytes });
      console.log(await s.credentials.recordUse('k', 9, false, 1));`);
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error, 'the process did not exit by itself').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
    expect(countersInFile(file)).toEqual({ k: 9 });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

describe('SQLite store specifics', () => {
  it('a counter update is in the file once its promise resolves (group commit before reply)', async () => {
    const file = tmpFile();
    const s = openSqliteStores(file);
    await s.credentials.addCredential({ id: 'dQ', username: 'u', displayName: 'u', createdAt: 1 }, { id: 'c1', userId: 'dQ', publicKey: new Uint8Array([1]), alg: -7, counter: 0, transports: [], aaguid: 'x', fmt: 'none', attestationObject: new Uint8Array([1]), clientDataJSON: new Uint8Array([1]), backupEligible: false, backupState: false, discoverable: null, createdAt: 1, lastUsedAt: null, counterRegressions: 0 });
    const pending = s.credentials.recordUse('c1', 5, true, 100);
    // another reader of the file does not see it before the commit ...
    const peek = () => Number((new DatabaseSync(file).prepare('SELECT counter FROM credentials WHERE id = ?').get('c1') as { counter: number }).counter);
    expect(peek()).toBe(0);
    expect(await pending).toBe('ok');
    // ... and does as soon as the promise has resolved
    expect(peek()).toBe(5);
    await s.close();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('migrates a new file to the current schema version and refuses a file from a newer harness', async () => {
    const file = tmpFile();
    await openSqliteStores(file).close();
    expect(Number((new DatabaseSync(file).prepare('PRAGMA user_version').get() as { user_version: number }).user_version)).toBe(SQLITE_SCHEMA_VERSION);
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStores(file)).toThrow(/newer than this fido2-harness knows/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('a file of schema version 1 (before accounts) is migrated in place, its data kept and owned by nobody', async () => {
    const file = tmpFile();
    const db = new DatabaseSync(file);
    db.exec(SQLITE_MIGRATIONS[0]!);
    db.exec("INSERT INTO users (id, username, display_name, created_at) VALUES ('dQ', 'old', 'Old', 1); PRAGMA user_version = 1");
    db.close();
    const s = openSqliteStores(file);
    expect(await s.credentials.getUserByName('old')).toEqual({ id: 'dQ', username: 'old', displayName: 'Old', createdAt: 1, team: null });
    expect(await s.accounts.hasAccounts()).toBe(false);
    await s.close();
    expect(Number((new DatabaseSync(file).prepare('PRAGMA user_version').get() as { user_version: number }).user_version)).toBe(SQLITE_SCHEMA_VERSION);
    expect(SQLITE_SCHEMA_VERSION).toBe(3);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
