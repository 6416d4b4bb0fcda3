import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessAsync, startHarness } from '../helpers/harnessProcess.ts';

/**
 * What a run leaves on a key, seen by a client that is not ours: Debian's python3-fido2 seeds the
 * software key as a person's key would be (a PIN, their own discoverable credentials, some on the
 * RP IDs the harness uses, a large-blob entry, the profile's enrolled finger) and reads everything
 * back before and after `check --ctap` (test/interop/key_state.py). Without flags nothing may
 * change; with --destructive every change must have been put back, as the report says.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve('test/interop/key_state.py');
const probe = spawnSync(PYTHON, ['-c', 'import fido2'], { encoding: 'utf8' });
const PIN = '24681357';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-key-state-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function python(mode: 'seed' | 'state', port: string) {
  const r = spawnSync(PYTHON, [SCRIPT, mode, port, PIN], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown> & { credentials: string[][]; pinRetries: number };
}

describe.skipIf(probe.status !== 0)('a key before and after check --ctap, read by python-fido2', { timeout: 300_000 }, () => {
  for (const flags of [[], ['--destructive']]) {
    it(`check --ctap ${flags.join(' ') || '(no flags)'} leaves credentials, PIN, retries, options, fingers and large blobs as they were`, async () => {
      const statement = path.join(dir, `statement${flags.length}.json`);
      const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--profile', 'fixtures/example-compliant-profile.json', '--statement-out', statement], /listening on udp:127\.0\.0\.1:(\d+)/);
      try {
        const port = key.match[1]!;
        python('seed', port);
        const before = python('state', port);
        // the seed is there to be kept: a person's credentials on three RPs, one enrolled finger, a large blob
        expect(before.credentials.map((c) => c[0])).toEqual(['conformance.fido2-harness.test', 'ctap.fido2-harness.test', 'person.example']);
        expect(before).toMatchObject({ pinRetries: 8, options: { clientPin: true, alwaysUv: false }, fingers: [['01', 'finger 1']] });
        const r = await harnessAsync(['check', '--ctap', '--device', `udp:127.0.0.1:${port}`, '--udp-client-port', '0', '--statement', statement, '--pin-env', 'KEY_PIN', '--format', 'json', ...flags], { env: { KEY_PIN: PIN }, timeout: 240_000 });
        expect(r.status, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout);
        expect(python('state', port)).toEqual(before);
        // the report tells the same story: what it made it removed, and what it changed it put back
        expect(report.keyChanges.left).toEqual([]);
        expect(report.keyChanges.created.length).toBeGreaterThan(5);
        expect(report.keyChanges.deleted.length).toBe(report.keyChanges.created.length);
        expect(report.keyChanges.pinRetries).toEqual({ before: 8, after: 8 });
        if (flags.length) {
          expect(report.keyChanges.actions.length).toBeGreaterThanOrEqual(4);
          expect(report.keyChanges.actions.every((a: { restored: boolean }) => a.restored)).toBe(true);
        } else expect(report.keyChanges.actions).toBeUndefined();
      } finally {
        await key.stop();
      }
    });
  }
});
