import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harnessProcess.ts';
import { startVirtualReader, virtualReaderUnavailable, type VirtualReader } from '../helpers/virtualReader.ts';
import { openDevice } from '../../conformance/src/index.ts';

/**
 * NFC end to end through a real PC/SC stack: Debian's pcscd with the vsmartcard vpcd driver (a
 * private instance in a mount namespace of its own, its reader connecting to 127.0.0.1 only),
 * `fido2-harness softkey --nfc listen:PORT --udp` as the card and as a USB-like device at once,
 * and on the host side the harness's CLI (PC/SC through the smartcard binding) and Debian's
 * python3-fido2 with its own CtapPcscDevice (pyscard).
 */
const BIN = path.resolve('bin/fido2-harness.js');
const PYTHON = '/usr/bin/python3';
const why = virtualReaderUnavailable();

describe.skipIf(!!why)(`NFC through pcscd + vpcd${why ? ` (skipped: ${why})` : ''}`, () => {
  let key: Awaited<ReturnType<typeof startHarness>>;
  let reader: VirtualReader;
  let dir: string;
  let statement: string;
  let udp: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-nfc-'));
    statement = path.join(dir, 'statement.json');
    key = await startHarness(['softkey', '--udp', '127.0.0.1:0', '--nfc', 'listen:0', '--statement-out', statement], /listening on udp:127\.0\.0\.1:(\d+); an NFC card for vpcd on tcp:127\.0\.0\.1:(\d+)/);
    udp = `udp:127.0.0.1:${key.match[1]}`;
    reader = await startVirtualReader(Number(key.match[2]));
  }, 60_000);
  afterAll(async () => {
    await reader?.stop();
    await key?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...reader.env, NO_COLOR: '1' }, timeout: 180_000 });

  it('devices lists the reader with the FIDO applet, and the other slot without one', () => {
    const r = cli(['devices', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const { readers } = JSON.parse(r.stdout);
    expect(readers[0]).toEqual({ name: reader.name, fido: true, version: 'U2F_V2' });
    expect(readers.slice(1).every((x: { fido: boolean; why: string }) => !x.fido && /6A82/.test(x.why))).toBe(true);
  });

  it('check --ctap --device pcsc: passes the compliant profile over NFC; the report says NFC and what changed; the key\'s USB side signs for the credential made over NFC', () => {
    const r = cli(['check', '--ctap', '--device', 'pcsc:', '--other-interface', udp, '--statement', statement, '--format', 'json']);
    const report = JSON.parse(r.stdout || '{}');
    const failing = (report.outcomes ?? []).filter((o: { status: string }) => o.status === 'fail').map((o: { id: string; message: string; actual?: string }) => `${o.id}: ${o.message} ${o.actual ?? ''}`);
    expect(failing, r.stderr.slice(-3000)).toEqual([]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(report.ctap.transport).toBe(`pcsc:${reader.name}`);
    // over NFC the tap is the presence and there is no CTAPHID: those checks say so, not fail
    const byId = Object.fromEntries(report.outcomes.map((o: { id: string }) => [o.id, o]));
    expect(byId.CTAP_HID_INIT).toMatchObject({ status: 'skip', notApplicable: true });
    expect(byId.CTAP_USER_PRESENCE).toMatchObject({ status: 'pass', message: expect.stringMatching(/over NFC the tap is the presence/) });
    expect(byId.NFC_USB_SAME_CREDENTIAL).toMatchObject({ status: 'pass', message: expect.stringMatching(/signs over udp:127\.0\.0\.1:\d+ too/) });
    expect(report.keyChanges.left).toEqual([]);
  }, 200_000);

  it('python-fido2 (CtapPcscDevice over pyscard) reads getInfo, registers and signs through the reader; the credential works over USB too', async () => {
    const r = spawnSync(PYTHON, [path.resolve('test/interop/nfc_card.py'), 'fido2-harness virtual reader 00 00'], { encoding: 'utf8', env: { ...process.env, ...reader.env }, timeout: 60_000 });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.getInfo.versions).toContain('FIDO_2_1');
    expect(o.getInfo.transports).toContain('nfc');
    expect(o.makeCredential).toEqual({ fmt: 'packed', attestationVerifies: true, up: true, credentialIdLength: expect.any(Number) });
    expect(o.getAssertion).toEqual({ signatureVerifies: true, up: true });
    // the same key over its other transport: the credential made over NFC signs over USB (UDP here)
    const usb = await openDevice(udp, { udpClientPort: 0 });
    try {
      const a = await usb.ctap2!.getAssertion({ rpId: 'nfc.fido2-harness.test', clientDataHash: crypto.randomBytes(32), allowList: [{ type: 'public-key', id: Buffer.from(o.credentialId, 'hex') }] });
      expect(Buffer.from(a.credential!.id).toString('hex')).toBe(o.credentialId);
    } finally {
      await usb.close();
    }
  });

  it('a reader name that is not there, and no card: exit 2 naming what is missing', () => {
    const r = cli(['probe', '--device', 'pcsc:No Such Reader']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DEVICE_NOT_FOUND: no PC\/SC reader named "No Such Reader"/);
  });
  it('the guided page offers the key on the reader and runs it: "Test the key", the NFC checks, PASS', async () => {
    // this process talks to the private pcscd too (the server drives the reader)
    process.env.PCSCLITE_CSOCK_NAME = reader.env.PCSCLITE_CSOCK_NAME;
    const { startTestServer } = await import('../helpers/testServer.ts');
    const { fakeNodeHid } = await import('../helpers/fakeNodeHid.ts');
    const { launchChromium } = await import('../../runner/chromium.ts');
    const { withDraftStatements } = await import('../../conformance/src/index.ts');
    const entry = JSON.parse(fs.readFileSync(statement, 'utf8'));
    const server = await startTestServer({ listen: true, metadata: withDraftStatements(undefined, [entry]), nodeHid: async () => fakeNodeHid([]) });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${server.origin}/run.html`);
      await page.waitForSelector('body[data-ready=true]');
      await page.waitForFunction(() => !(document.getElementById('usb-start') as HTMLButtonElement).disabled, undefined, { timeout: 20_000 });
      expect(await page.locator('#usb-device option').allTextContents()).toEqual([`NFC: the key on ${reader.name} (U2F_V2)`]);
      await page.click('#usb-start');
      await page.waitForSelector('#usb-status[data-kind=ok], #usb-status[data-kind=error]', { timeout: 150_000 });
      const failing = await page.locator('[data-testid=checks] tr[data-status=fail]').allTextContents();
      expect(failing).toEqual([]);
      expect(await page.textContent('#usb-status')).toMatch(/^Done: PASS/);
      const rows = await page.locator('[data-testid=checks] tr').evaluateAll((trs) => Object.fromEntries(trs.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-status')])));
      for (const id of ['NFC_SELECT', 'NFC_GET_RESPONSE', 'NFC_CHAINING', 'NFC_EXTENDED_APDU', 'NFC_TRANSPORTS']) expect(rows[id], id).toBe('pass');
      await page.screenshot({ path: '/tmp/nfc-guided-1280.png', fullPage: true });
    } finally {
      await browser.close();
      await server.close();
    }
  }, 200_000);

  it('the reader goes away mid-run: exit 2 within seconds, the report of what ran', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'check', '--ctap', '--device', 'pcsc:', '--statement', statement, '--format', 'json'], { env: { ...process.env, ...reader.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // the run is under way (its first probe), then pcscd and its reader are gone
    for (let i = 0; i < 300 && !/probe hid/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
    await reader.stop();
    const stoppedAt = Date.now();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
    expect(code, err.slice(-2000)).toBe(2);
    expect(err).toMatch(/the run did not finish: the key stopped answering during the \w+ probe/);
    expect(JSON.parse(out).ctap.brokenOff).toMatch(/pcsc:/);
  }, 60_000);
});
