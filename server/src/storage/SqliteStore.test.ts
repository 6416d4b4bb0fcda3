import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './SqliteStore.ts';

const dirs: string[] = [];
function file() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-store-'));
  dirs.push(d);
  return path.join(d, 'db.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const user = { id: 'dXNlcg', username: 'alice', displayName: 'Alice', createdAt: 1 };
const cred = (id: string) => ({
  id, userId: user.id, publicKey: new Uint8Array([1, 2, 3]), alg: -7, counter: 0, transports: ['usb', 'nfc'], aaguid: '00000000-0000-0000-0000-000000000000',
  fmt: 'packed', attestationObject: new Uint8Array([9, 9]), clientDataJSON: new Uint8Array([7]), backupEligible: false, backupState: false,
  discoverable: true, createdAt: 2, lastUsedAt: null, counterRegressions: 0,
});

describe('SqliteStore', () => {
  it('stores users, credentials and the raw registration evidence in one file that survives reopening', () => {
    const f = file();
    const a = new SqliteStore(f);
    a.addCredential(user, cred('c1'));
    a.addCredential(user, cred('c2'));
    a.close();
    const b = new SqliteStore(f);
    expect(b.getUserByName('alice')).toEqual(user);
    expect(b.getCredential('c1')).toMatchObject({ id: 'c1', username: 'alice', transports: ['usb', 'nfc'], discoverable: true, publicKey: new Uint8Array([1, 2, 3]) });
    expect(b.getRegistrationEvidence('c2')).toEqual({ attestationObject: new Uint8Array([9, 9]), clientDataJSON: new Uint8Array([7]) });
    expect(b.listCredentials(user.id).map((c) => c.id)).toEqual(['c1', 'c2']);
    b.close();
  });

  it('a duplicate credential ID is refused and leaves the store as it was', () => {
    const s = new SqliteStore(file());
    s.addCredential(user, cred('c1'));
    expect(() => s.addCredential({ ...user, id: 'b3RoZXI', username: 'bob' }, cred('c1'))).toThrow();
    expect(s.getUserByName('bob')).toBeUndefined();
    expect(s.listCredentials()).toHaveLength(1);
    s.close();
  });

  it('group-committed counter updates are visible at once and reach the file', async () => {
    const f = file();
    const s = new SqliteStore(f);
    s.addCredential(user, cred('c1'));
    s.recordUse('c1', 5, true, 100);
    expect(s.getCredential('c1')).toMatchObject({ counter: 5, backupState: true, lastUsedAt: 100 });
    // a second handle on the file does not see it until the turn ends
    const other = new SqliteStore(f);
    expect(other.getCredential('c1')!.counter).toBe(0);
    other.close();
    await new Promise((r) => setImmediate(r));
    const after = new SqliteStore(f);
    expect(after.getCredential('c1')!.counter).toBe(5);
    after.close();
    s.recordUse('c1', 6, true, 101);
    s.close(); // close flushes
    const reopened = new SqliteStore(f);
    expect(reopened.getCredential('c1')!.counter).toBe(6);
    reopened.close();
  });

  it('regressions are counted on the record and logged; delete forgets the credential everywhere', () => {
    const s = new SqliteStore(file());
    s.addCredential(user, cred('c1'));
    s.getCredential('c1'); // cached
    s.recordCounterRegression({ credentialId: 'c1', stored: 9, received: 3, at: 5 });
    expect(s.getCredential('c1')!.counterRegressions).toBe(1);
    expect(s.listCounterRegressions('c1')).toEqual([{ credentialId: 'c1', stored: 9, received: 3, at: 5 }]);
    expect(s.deleteCredential('c1')).toBe(true);
    expect(s.getCredential('c1')).toBeUndefined();
    expect(s.deleteCredential('c1')).toBe(false);
    s.close();
  });

  it('returns copies: a caller cannot change the cached record', () => {
    const s = new SqliteStore(file());
    s.addCredential(user, cred('c1'));
    const c = s.getCredential('c1')!;
    c.counter = 99;
    c.transports.push('ble');
    expect(s.getCredential('c1')).toMatchObject({ counter: 0, transports: ['usb', 'nfc'] });
    s.close();
  });
});
