import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessAsync, startHarness, BIN } from './helpers/harnessProcess.ts';
import { spawn } from 'node:child_process';
import { CHECKS, EMULATED_PIN } from '../conformance/src/index.ts';

/**
 * check --ctap as a vendor runs it against a key over the simulator transport: the software key
 * in its own process (softkey --udp), the harness in another, a real UDP socket between them.
 */
let dir: string;
const READY = /listening on udp:127\.0\.0\.1:(\d+)/;
const compliant = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
const profile = (name: string, patch: Record<string, unknown>) => {
  const f = path.join(dir, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify({ ...compliant, ...patch, features: { ...compliant.features, ...(patch.features as object) } }));
  return f;
};
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-check-ctap-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** softkey --udp with a profile; its statement written for --statement. */
async function softkey(args: string[] = []) {
  const statement = path.join(dir, `statement-${Math.random().toString(36).slice(2)}.json`);
  const key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--statement-out', statement, ...args], READY);
  return { key, statement, device: `udp:127.0.0.1:${key.match[1]}` };
}
const checkCtap = (device: string, statement: string, extra: string[] = [], env: Record<string, string> = {}) => harnessAsync(['check', '--ctap', '--device', device, '--udp-client-port', '0', '--statement', statement, '--format', 'json', ...extra], { env, timeout: 90_000 });

describe('check --ctap against softkey --udp', { timeout: 180_000 }, () => {
  it('the compliant profile passes every required check, and nothing is left on the key', async () => {
    const { key, statement, device } = await softkey();
    try {
      const r = await checkCtap(device, statement);
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.verdict).toBe('pass');
      expect(report.run.subject.via).toBe('ctap');
      expect(report.ctap.transport).toBe(device);
      const ctap = report.outcomes.filter((o: { area: string }) => o.area === 'ctap');
      expect(ctap.length).toBe(CHECKS.filter((c) => c.area === 'ctap').length);
      expect(ctap.filter((o: { status: string }) => o.status === 'fail')).toEqual([]);
      // without the flags, the groups that change the key are not run, and say which flag they need
      expect(ctap.filter((o: { notRun?: string }) => o.notRun).map((o: { id: string; notRun: string }) => `${o.id} ${o.notRun}`).sort()).toEqual(['CTAP_BIO_ENROLLMENT --destructive', 'CTAP_CONFIG --destructive', 'CTAP_ENTERPRISE_ATTESTATION --allow-reset', 'CTAP_LARGE_BLOBS --destructive', 'CTAP_PIN_BLOCKING --destructive', 'CTAP_PIN_POLICY --destructive', 'CTAP_PIN_RETRIES --set-pin', 'CTAP_RESET --allow-reset', 'CTAP_WIN_PIN_SETUP --set-pin']);
      expect(report.keyChanges.created.length).toBeGreaterThan(5);
      expect(report.keyChanges.actions).toBeUndefined();
      expect(report.keyChanges.deleted.map((d: { credentialId: string }) => d.credentialId).sort()).toEqual(report.keyChanges.created.map((d: { credentialId: string }) => d.credentialId).sort());
      expect(report.keyChanges.left).toEqual([]);
      expect(r.stderr).toMatch(/touch the key now \(\d+\)/);
      // the text report ends with what changed
      const text = await harnessAsync(['check', '--ctap', '--device', device, '--udp-client-port', '0', '--statement', statement]);
      expect(text.status).toBe(0);
      expect(text.stdout).toMatch(/what this run changed on the key \(udp:127\.0\.0\.1:\d+\):[\s\S]*nothing of this run is left on the key/);
    } finally {
      await key.stop();
    }
  });

  it('check --ctap and check --emulate agree on every check for the same profile (emulate runs the destructive groups and sets a PIN: so does this --ctap run)', async () => {
    const { key, statement, device } = await softkey();
    try {
      const [ctap, emulate] = await Promise.all([checkCtap(device, statement, ['--destructive', '--set-pin', '--pin-env', 'KEY_PIN'], { KEY_PIN: EMULATED_PIN }), harnessAsync(['check', '--emulate', 'fixtures/example-compliant-profile.json', '--format', 'json'])]);
      expect(ctap.status, ctap.stderr).toBe(0);
      expect(emulate.status, emulate.stderr).toBe(0);
      const statuses = (out: string) => Object.fromEntries(JSON.parse(out).outcomes.map((o: { id: string; status: string }) => [o.id, o.status]));
      expect(statuses(ctap.stdout)).toEqual(statuses(emulate.stdout));
    } finally {
      await key.stop();
    }
  });

  it('a faulty key over UDP fails exactly its checks (a CTAPHID fault and a device fault)', async () => {
    const { key, statement, device } = await softkey(['--profile', profile('faulty-ctap', { faults: { acceptWrongChannel: true, credProtectNotEnforced: true } })]);
    try {
      const r = await checkCtap(device, statement);
      expect(r.status).toBe(1);
      const failing = JSON.parse(r.stdout).outcomes.filter((o: { status: string }) => o.status === 'fail').map((o: { id: string }) => o.id).sort();
      expect(failing).toEqual(['CTAP_CRED_PROTECT_ENFORCED', 'CTAP_HID_UNALLOCATED_CHANNEL']);
    } finally {
      await key.stop();
    }
  });

  it('a key with a PIN: refused without one, stopped at once on a wrong one (one retry spent), judged with the right one', async () => {
    const { key, statement, device } = await softkey(['--profile', profile('pin-key', { features: { uv: false, clientPin: { pin: '246810' } } })]);
    try {
      const none = await checkCtap(device, statement);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/this key has a PIN: give it with --pin-env VAR/);
      const unset = await checkCtap(device, statement, ['--pin-env', 'FH_NO_SUCH_VARIABLE']);
      expect(unset.status).toBe(2);
      expect(unset.stderr).toMatch(/--pin-env FH_NO_SUCH_VARIABLE: that environment variable is not set/);
      const wrong = await checkCtap(device, statement, ['--pin-env', 'KEY_PIN'], { KEY_PIN: '135791' });
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toMatch(/the PIN given is not this key's PIN \(7 retries left\); nothing else was tried/);
      expect(wrong.stderr).not.toContain('135791');
      const right = await checkCtap(device, statement, ['--pin-env', 'KEY_PIN'], { KEY_PIN: '246810' });
      expect(right.status, right.stderr).toBe(0);
      expect(right.stdout + right.stderr).not.toContain('246810');
      const report = JSON.parse(right.stdout);
      expect(report.outcomes.find((o: { id: string }) => o.id === 'CTAP_PIN_RETRIES')).toMatchObject({ status: 'pass', message: expect.stringMatching(/retries 8 -> 7 -> 8/) });
      // the wrong try above cost one retry; the right PIN of this run restored them
      expect(report.keyChanges.pinRetries).toEqual({ before: 7, after: 8 });
      expect(report.keyChanges.left).toEqual([]);
    } finally {
      await key.stop();
    }
  });

  it('--set-pin sets the PIN of a key that has none, and the report says so', async () => {
    const pinless = await softkey(['--profile', profile('pin-supported', { features: { uv: false, clientPin: null } })]);
    try {
      const without = await checkCtap(pinless.device, pinless.statement);
      expect(without.status).toBe(2);
      expect(without.stderr).toMatch(/no PIN yet and no built-in user verification.*--set-pin --pin-env VAR/);
      const set = await checkCtap(pinless.device, pinless.statement, ['--set-pin', '--pin-env', 'NEW_PIN'], { NEW_PIN: '97531' });
      expect(set.stderr).not.toContain('97531');
      const report = JSON.parse(set.stdout);
      expect(report.keyChanges.pinSet).toBe(true);
      expect(report.outcomes.find((o: { id: string }) => o.id === 'CTAP_PIN_UV_AUTH_PROTOCOLS').status).toBe('pass');
      const again = await checkCtap(pinless.device, pinless.statement, ['--set-pin', '--pin-env', 'NEW_PIN'], { NEW_PIN: '97531' });
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(/this key already has a PIN: --set-pin is only for a key without one/);
    } finally {
      await pinless.key.stop();
    }
  });

  it('--set-pin on a key with no PIN gives the outcomes the same key gets with its PIN set beforehand; no check asks for a flag that was given', async () => {
    const fresh = await softkey(['--profile', profile('fresh-pinless', { features: { uv: false, clientPin: null } })]);
    const preset = await softkey(['--profile', profile('fresh-preset', { features: { uv: false, clientPin: { pin: '97531' } } })]);
    try {
      const [set, given] = await Promise.all([
        checkCtap(fresh.device, fresh.statement, ['--set-pin', '--pin-env', 'NEW_PIN'], { NEW_PIN: '97531' }),
        checkCtap(preset.device, preset.statement, ['--pin-env', 'NEW_PIN'], { NEW_PIN: '97531' }),
      ]);
      expect(set.status, set.stderr).toBe(0);
      expect(given.status, given.stderr).toBe(0);
      const outcomes = (out: string) => JSON.parse(out).outcomes as { id: string; status: string; message: string; notApplicable?: boolean }[];
      const statuses = (out: string) => Object.fromEntries(outcomes(out).map((o) => [o.id, o.status]));
      // the one difference: Windows' first-PIN set-up is shown only on the key that had no PIN
      const { CTAP_WIN_PIN_SETUP: shown, ...restSet } = statuses(set.stdout);
      const { CTAP_WIN_PIN_SETUP: notApplicable, ...restGiven } = statuses(given.stdout);
      expect(shown).toBe('pass');
      expect(notApplicable).toBe('skip');
      expect(restSet).toEqual(restGiven);
      for (const o of outcomes(set.stdout)) expect(o.message, o.id).not.toMatch(/--set-pin|--pin-env/);
    } finally {
      await fresh.key.stop();
      await preset.key.stop();
    }
  });

  it('a key that stops answering mid-run: exit 2, and the report says what ran', async () => {
    const { key, statement, device } = await softkey();
    const out = path.join(dir, 'broken.json');
    const child = spawn(process.execPath, [BIN, 'check', '--ctap', '--device', device, '--udp-client-port', '0', '--statement', statement, '--format', 'json', '--out', out], { env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('prf-a-1-again') && key.child.exitCode === null) key.child.kill('SIGKILL');
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, err).toBe(2);
    expect(err).toMatch(/the run did not finish: prf-a-1-again: the key stopped answering/);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(report.run.ceremonies.filter((c: { ok: boolean }) => c.ok).map((c: { step: string }) => c.step)).toEqual(['register-basic', 'sign-in-uv', 'register-account-1', 'register-account-2', 'prf-a-1']);
    expect(report.ctap.brokenOff).toMatch(/prf-a-1-again/);
    expect(report.keyChanges.left.map((l: { reason: string }) => l.reason)).toEqual(['the key stopped answering before it could be removed', 'the key stopped answering before it could be removed']);
    expect(report.verdict).toBe('fail');
  });

  it('bad usage and an unreachable key are exit 2 with the reason', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    try {
      for (const [args, msg] of [
        [['--device', `udp:127.0.0.1:${silent.address().port}`], /DEVICE_TIMEOUT: CTAPHID_INIT/],
        [['--device', 'udp:127.0.0.1:1', '--areas', 'ctap,nonsense'], /unknown area nonsense; areas are/],
        [['--device', 'udp:127.0.0.1:1', '--format', 'pdf'], /--format must be/],
        [['--device', 'udp:127.0.0.1:1', '--statement', '/nonexistent.json'], /cannot read statement/],
        [['--devcie', 'x'], /did you mean --device\?/],
      ] as const) {
        const r = await harnessAsync(['check', '--ctap', '--udp-client-port', '0', ...args], { timeout: 30_000 });
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(msg);
      }
      // --other-interface: the same device twice is bad usage; an interface that does not answer
      // is exit 2 naming it, the key on --device closed again (the process ends)
      const { key, statement, device } = await softkey();
      try {
        for (const [args, msg] of [
          [['--device', device, '--other-interface', device], /names the same device as --device/],
          [['--device', device, '--other-interface', `udp:127.0.0.1:${silent.address().port}`], /DEVICE_TIMEOUT: CTAPHID_INIT/],
        ] as const) {
          const r = await harnessAsync(['check', '--ctap', '--udp-client-port', '0', '--statement', statement, ...args], { timeout: 30_000 });
          expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
          expect(r.stderr).toMatch(msg);
        }
      } finally {
        await key.stop();
      }
    } finally {
      silent.close();
    }
  });
});
