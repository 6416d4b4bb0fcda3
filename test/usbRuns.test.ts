import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/testServer.ts';
import { ApiSession } from './helpers/ApiSession.ts';
import { fakeNodeHid, type FakeHidDevice } from './helpers/fakeNodeHid.ts';
import { loadProfile } from '../conformance/src/emulation/loadProfile.ts';
import { withDraftStatements, FIDO_USAGE_PAGE, CHECKS, type NodeHidApi } from '../conformance/src/index.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The guided run over USB through the API: the server drives a key through node-hid (a fake at
 * node-hid's API boundary, with the software key's CTAPHID device behind it), the page polls.
 */
let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const usbKey = (path: string, device?: FakeHidDevice['device']): FakeHidDevice => ({ info: { path, vendorId: 0x1ea8, productId: 0xf1d0, manufacturer: 'Example Vendor', product: 'Example Key', usagePage: FIDO_USAGE_PAGE, usage: 1 }, device });

async function serverWith(profile = 'fixtures/example-compliant-profile.json', o: { nodeHid?: () => Promise<NodeHidApi> } = {}) {
  const loaded = await loadProfile(profile);
  const hid = fakeNodeHid([usbKey('/dev/hidraw7', loaded.key.server)]);
  s = await startTestServer({ metadata: withDraftStatements(undefined, [loaded.entry]), nodeHid: o.nodeHid ?? (async () => hid) });
  return { api: new ApiSession(s.app), hid, loaded };
}

async function untilDone(api: ApiSession, id: string) {
  for (let i = 0; i < 400; i++) {
    const st = (await api.get(`/api/usb/runs/${id}`)).json();
    if (st.state !== 'running') return st;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the USB run did not finish');
}

describe('guided run over USB (the server drives the key)', { timeout: 60_000 }, () => {
  it('lists the key, runs the plan and the CTAP probes, stores the run like any guided run, leaves the key clean', async () => {
    const { api } = await serverWith();
    const devices = (await api.get('/api/usb/devices')).json();
    expect(devices).toMatchObject({ available: true, devices: [{ path: '/dev/hidraw7', vendorId: '0x1ea8', productId: '0xf1d0', manufacturer: 'Example Vendor', product: 'Example Key' }] });
    const started = await api.post('/api/usb/runs', { device: '/dev/hidraw7', label: 'Example Key over USB', firmware: '5.8.0' });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ state: 'running' });
    const busy = await api.post('/api/usb/runs', { device: '/dev/hidraw7' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.code).toBe('USB_BUSY');
    const done = await untilDone(api, started.json().id);
    expect(done.state, done.error).toBe('done');
    expect(done.touches).toBeGreaterThan(10);
    expect(done.log).toEqual(expect.arrayContaining(['register-basic', 'sign-in-discoverable-2', 'probe credentialManagement']));
    expect(done.report).toMatchObject({ verdict: 'pass', run: { subject: { via: 'ctap', firmware: '5.8.0', label: 'Example Key over USB' } }, keyChanges: { left: [] }, ctap: { transport: 'usb:/dev/hidraw7 Example Vendor Example Key (1ea8:f1d0)' } });
    expect(done.report.outcomes.filter((o: { area: string }) => o.area === 'ctap')).toHaveLength(CHECKS.filter((c) => c.area === 'ctap').length);
    // nobody offered to replug the key: the power-cycle checks are not run, and not held against it
    expect(done.report.outcomes.find((o: { id: string }) => o.id === 'CTAP_POWER_CYCLE')).toMatchObject({ status: 'skip', notRun: 'a power cycle' });
    const list = (await api.get('/api/runs')).json().runs;
    expect(list).toMatchObject([{ id: done.runId, via: 'ctap', firmware: '5.8.0', verdict: 'pass' }]);
    expect((await api.get(`/api/runs/${done.runId}/report.md`)).body).toMatch(/## What this run changed on the key[\s\S]*nothing of this run is left on the key/);
  });

  it('a key with a PIN: 400 without it; the PIN goes to the key only (never stored, never in an answer)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-usb-pin-'));
    const profile = path.join(dir, 'pin.json');
    const base = JSON.parse(fs.readFileSync('fixtures/example-compliant-profile.json', 'utf8'));
    fs.writeFileSync(profile, JSON.stringify({ ...base, features: { ...base.features, uv: false, clientPin: { pin: '8642-usb' } } }));
    try {
      const { api } = await serverWith(profile);
      const without = await api.post('/api/usb/runs', {});
      expect(without.statusCode).toBe(400);
      expect(without.json().error).toMatchObject({ code: 'PIN_REQUIRED', message: expect.stringMatching(/this key has a PIN: type it/) });
      const started = await api.post('/api/usb/runs', { pin: '8642-usb' });
      expect(started.body).not.toContain('8642-usb');
      const done = await untilDone(api, started.json().id);
      expect(done.state, done.error).toBe('done');
      expect(JSON.stringify(done)).not.toContain('8642-usb');
      expect(done.report.outcomes.find((o: { id: string }) => o.id === 'CTAP_PIN_RETRIES').status).toBe('pass');
      const stored = await s!.stores.runs.getRun(done.runId);
      expect(JSON.stringify(stored)).not.toContain('8642-usb');
      const wrong = await api.post('/api/usb/runs', { pin: '1111-bad' });
      const failed = await untilDone(api, wrong.json().id);
      expect(failed).toMatchObject({ state: 'failed', error: expect.stringMatching(/the PIN given is not this key's PIN \(7 retries left\)/) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only from this machine; no node-hid, no key, bad bodies, unknown jobs: clear 4xx, never a 5xx', async () => {
    const { api } = await serverWith(undefined, { nodeHid: async () => { throw new Error('Cannot find module \'node-hid\''); } });
    expect((await api.get('/api/usb/devices')).json()).toMatchObject({ available: false, reason: expect.stringMatching(/USB access is not available on this server: Cannot find module/) });
    const noHid = await api.post('/api/usb/runs', {});
    expect([noHid.statusCode, noHid.json().error.code]).toEqual([409, 'USB_UNAVAILABLE']);
    const remote = await s!.app.inject({ method: 'GET', url: '/api/usb/devices', remoteAddress: '192.0.2.7' });
    expect([remote.statusCode, remote.json().error.code]).toEqual([403, 'USB_LOCAL_ONLY']);
    const remoteStart = await s!.app.inject({ method: 'POST', url: '/api/usb/runs', remoteAddress: '192.0.2.7', headers: { 'content-type': 'application/json' }, payload: '{"pin":"123456"}' });
    expect(remoteStart.statusCode).toBe(403);
    for (const body of [{ pin: '12' }, { pin: 'x'.repeat(64) }, { device: '' }, { evil: true }, { setPin: 'yes' }, '{"pin": "1234"', '[]']) {
      const r = await api.post('/api/usb/runs', body, { 'content-type': 'application/json' });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code).toMatch(/^BAD_(REQUEST|JSON)$/);
    }
    expect((await api.get('/api/usb/runs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await api.get('/api/usb/runs/not-a-uuid')).statusCode).toBe(400);
  });

  it('no key plugged in, or another path: 404 naming the fix; the key unplugged mid-run: the run fails and is stored as far as it went', async () => {
    const { api, hid } = await serverWith();
    const missing = await api.post('/api/usb/runs', { device: '/dev/hidraw99' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'DEVICE_NOT_FOUND']);
    // the device member names a listed HID path, never a simulator or another kind of --device
    for (const device of ['udp:127.0.0.1:8111', 'pcsc:', '../../dev/mem']) {
      const other = await api.post('/api/usb/runs', { device });
      expect([other.statusCode, other.json().error.code], device).toEqual([404, 'DEVICE_NOT_FOUND']);
    }
    const started = await api.post('/api/usb/runs', {});
    let st = started.json();
    while (st.state === 'running' && !(st.log as string[]).includes('prf-a-1')) {
      await new Promise((r) => setTimeout(r, 5));
      st = (await api.get(`/api/usb/runs/${st.id}`)).json();
    }
    hid.unplug('/dev/hidraw7');
    const done = await untilDone(api, st.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/the key stopped answering/);
    const list = (await api.get('/api/runs')).json().runs;
    expect(list).toMatchObject([{ id: done.runId, via: 'ctap', verdict: null }]);
  });
});
