import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from './helpers/harnessProcess.ts';
import { SoftAuthenticator } from '../conformance/src/emulation/SoftAuthenticator.ts';
import { HttpBrowser as Browser } from './helpers/httpBrowser.ts';

/**
 * Nothing acknowledged before it is committed: the server in a process of its own, sign-ins
 * acknowledged, then `kill -9` at once; after a restart on the same data dir every acknowledged
 * counter is there, and a cloned key replaying an acknowledged counter is refused.
 */
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-durable-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const READY = /listening on (http:\/\/localhost:\d+)\//;

async function signIn(base: string, key: SoftAuthenticator, username: string) {
  const b = new Browser(base);
  const opts = (await b.post('/api/authentication/options', { username })).json;
  const r = await b.post('/api/authentication/verify', await key.get(opts, base));
  return r;
}

describe('kill -9 right after acknowledged sign-ins', { timeout: 180_000 }, () => {
  it('every acknowledged counter survives; replaying one is refused', async () => {
    const keys = Array.from({ length: 5 }, () => new SoftAuthenticator());
    let server = await startHarness(['serve', '--port', '0', '--data-dir', dir], READY);
    let base = server.match[1]!;
    for (const [i, key] of keys.entries()) {
      const b = new Browser(base);
      const opts = (await b.post('/api/registration/options', { username: `user${i}` })).json;
      expect((await b.post('/api/registration/verify', await key.create(opts, base))).status).toBe(200);
    }
    const acknowledged = new Map<number, number>();
    for (let trial = 0; trial < 8; trial++) {
      // five concurrent sign-ins (one group commit), each acknowledged, then the process dies at once
      const results = await Promise.all(keys.map((k, i) => signIn(base, k, `user${i}`)));
      for (const [i, r] of results.entries()) {
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        acknowledged.set(i, r.json.credential.counter);
      }
      server.child.kill('SIGKILL');
      await new Promise((r) => server.child.once('exit', r));
      server = await startHarness(['serve', '--port', '0', '--data-dir', dir], READY);
      base = server.match[1]!;
      for (const [i] of keys.entries()) {
        const list = await fetch(`${base}/api/credentials?username=user${i}`).then((r) => r.json() as Promise<{ credentials: { counter: number }[] }>);
        expect(list.credentials[0]!.counter, `trial ${trial}, user${i}`).toBe(acknowledged.get(i));
      }
    }
    // a clone of key 0 that presents the last acknowledged counter again: refused as a regression
    const key0 = keys[0]!;
    const b = new Browser(base);
    const opts = (await b.post('/api/authentication/options', { username: 'user0' })).json;
    const replay = await b.post('/api/authentication/verify', await key0.get(opts, base, { signCount: acknowledged.get(0)! }));
    expect(replay.status).toBe(422);
    expect(replay.json.error.code).toBe('SIGN_COUNT');
    await server.stop();
  });
});
