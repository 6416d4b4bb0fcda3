import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openSqliteStores, SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './SqliteStores.ts';
import { storeContract } from './storeContract.ts';

const tmpFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fh-store-')), 'db.sqlite');

storeContract('SQLite', async () => {
  const file = tmpFile();
  return { stores: openSqliteStores(file), reopen: async () => openSqliteStores(file), dispose: async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }) };
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
