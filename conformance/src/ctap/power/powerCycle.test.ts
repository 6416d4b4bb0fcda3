import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeNodeHid } from '../../../../test/helpers/fakeNodeHid.ts';
import { SoftAuthenticator } from '../../emulation/SoftAuthenticator.ts';
import { serveUdpDevice } from '../transport/UdpDeviceEndpoint.ts';
import { FIDO_USAGE_PAGE } from '../transport/NodeHidTransport.ts';
import { openDevice, type CtapDevice } from '../CtapDevice.ts';
import { ClientPin } from '../ctap2/clientPin.ts';
import { PIN_PROTOCOL_2 } from '../ctap2/pinProtocol.ts';
import { PERMISSION } from '../constants.ts';
import { CTAP_STATUS as S } from '../status.ts';
import { CtapError } from '../CtapError.ts';
import { HarnessError } from '../../errors/HarnessError.ts';

/**
 * One `CtapDevice.powerCycle()` whatever cycles the power: a person replugging a USB key (node-hid
 * faked at its API boundary, the software key behind it), a vendor's rig behind
 * `--power-cycle-hook` (a real HTTP server on loopback), over USB and over UDP. What proves the
 * power really went off: PIN_AUTH_BLOCKED, which only a power-up lifts (CTAP 2.1 §6.5.5.7).
 */
const PIN = '24681357';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});
const usbInfo = (path: string) => ({ path, vendorId: 0x1050, productId: 0x0407, manufacturer: 'Yubico', product: 'YubiKey', serialNumber: 'S1', usagePage: FIDO_USAGE_PAGE, usage: 1 });
const failure = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof HarnessError ? `${e.code}: ${e.message}` : String(e)));
const status = async (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof CtapError ? e.ctapStatus : -1));

async function blockPin(device: CtapDevice) {
  const cp = new ClientPin(device.ctap2!, PIN_PROTOCOL_2);
  for (let i = 0; i < 3; i++) await status(cp.tokenUsingPin('0000', PERMISSION.ga));
  expect(await status(cp.tokenUsingPin(PIN, PERMISSION.ga))).toBe(S.CTAP2_ERR_PIN_AUTH_BLOCKED);
}
const pinWorks = async (device: CtapDevice) => status(new ClientPin(device.ctap2!, PIN_PROTOCOL_2).tokenUsingPin(PIN, PERMISSION.ga, 'power.example'));

function hook(onPost: (body: unknown) => number): Promise<{ url: string; posts: unknown[] }> {
  const posts: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as unknown;
      posts.push({ method: req.method, type: req.headers['content-type'], body: parsed });
      res.statusCode = onPost(parsed);
      res.end('done');
    });
  });
  closers.push(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cycle?token=s3cret`, posts })));
}

describe('power cycles, one call whatever does them', () => {
  it('USB: the person is asked to replug; the key comes back under a new hidraw path; PIN blocking is lifted', async () => {
    const key = new SoftAuthenticator({ features: { uv: false, clientPin: { pin: PIN } } });
    const hid = fakeNodeHid([{ info: usbInfo('/dev/hidraw3'), device: key.server }]);
    const device = await openDevice(undefined, { nodeHid: hid });
    closers.push(() => device.close());
    expect(device.power?.how).toBe('person');
    await blockPin(device);
    const prompts: string[] = [];
    await device.powerCycle({
      timeoutMs: 5000,
      prompt: (m) => {
        prompts.push(m);
        if (prompts.length === 1) {
          // the person: out, power gone, back in at another path a moment later
          setTimeout(() => {
            hid.unplug('/dev/hidraw3');
            key.powerCycle();
            setTimeout(() => hid.plug({ info: usbInfo('/dev/hidraw7'), device: key.server }), 300);
          }, 150);
        }
      },
    });
    expect(prompts).toEqual([
      'Unplug usb:/dev/hidraw3 Yubico YubiKey (1050:0407) and plug it back in (the run waits up to 5 s)',
      'Yubico YubiKey (1050:0407) is unplugged: plug it back in',
    ]);
    expect(device.description).toBe('usb:/dev/hidraw7 Yubico YubiKey (1050:0407)');
    expect(device.powerCycles).toBe(1);
    expect(await pinWorks(device)).toBe(0);
  });

  it('USB: a key never unplugged, or never plugged back, ends the wait with a DEVICE_TIMEOUT that says which', async () => {
    const key = new SoftAuthenticator();
    const hid = fakeNodeHid([{ info: usbInfo('/dev/hidraw3'), device: key.server }]);
    const device = await openDevice(undefined, { nodeHid: hid });
    closers.push(() => device.close());
    expect(await failure(device.powerCycle({ timeoutMs: 300 }))).toBe('DEVICE_TIMEOUT: Yubico YubiKey (1050:0407) was not unplugged within 0.3 s: the power cycle did not happen');
    expect(await failure(device.powerCycle({ timeoutMs: 400, prompt: () => hid.unplug('/dev/hidraw3') }))).toMatch(/^DEVICE_TIMEOUT: Yubico YubiKey \(1050:0407\) did not come back within 0.4 s of its power cycle$/);
    expect(device.powerCycles).toBe(0);
  });

  it('--power-cycle-hook over UDP: POSTs JSON naming the device, waits for the simulator to answer INIT again', async () => {
    const key = new SoftAuthenticator({ features: { uv: false, clientPin: { pin: PIN } } });
    const endpoint = await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 });
    closers.push(() => endpoint.close());
    const rig = await hook(() => {
      key.powerCycle();
      return 204;
    });
    const device = await openDevice(`udp:127.0.0.1:${endpoint.port}`, { udpClientPort: 0, powerCycleHook: rig.url });
    closers.push(() => device.close());
    expect(device.power?.how).toBe('hook');
    await blockPin(device);
    await device.powerCycle();
    expect(rig.posts).toEqual([{ method: 'POST', type: 'application/json', body: { action: 'power-cycle', device: `udp:127.0.0.1:${endpoint.port}` } }]);
    expect(await pinWorks(device)).toBe(0);
  });

  it('--power-cycle-hook over USB: the key may re-enumerate elsewhere or stay listed where it was', async () => {
    const key = new SoftAuthenticator({ features: { uv: false, clientPin: { pin: PIN } } });
    const hid = fakeNodeHid([{ info: usbInfo('/dev/hidraw3'), device: key.server }]);
    let n = 0;
    const rig = await hook(() => {
      hid.unplug(n ? '/dev/hidraw4' : '/dev/hidraw3');
      key.powerCycle();
      // the first cycle: back a moment later elsewhere; the second: back before the host looked
      if (n++ === 0) setTimeout(() => hid.plug({ info: usbInfo('/dev/hidraw4'), device: key.server }), 200);
      else hid.plug({ info: usbInfo('/dev/hidraw4'), device: key.server });
      return 200;
    });
    const device = await openDevice(undefined, { nodeHid: hid, powerCycleHook: rig.url });
    closers.push(() => device.close());
    await blockPin(device);
    await device.powerCycle({ timeoutMs: 5000 });
    expect(device.description).toMatch(/^usb:\/dev\/hidraw4 /);
    expect(await pinWorks(device)).toBe(0);
    await blockPin(device);
    await device.powerCycle({ timeoutMs: 5000 });
    expect(await pinWorks(device)).toBe(0);
    expect(device.powerCycles).toBe(2);
  });

  it('a hook that fails, cannot be reached, or is not a URL: an error naming it (its query, where tokens live, left out), and no cycle counted', async () => {
    const key = new SoftAuthenticator();
    const endpoint = await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 });
    closers.push(() => endpoint.close());
    const rig = await hook(() => 503);
    const device = await openDevice(`udp:127.0.0.1:${endpoint.port}`, { udpClientPort: 0, powerCycleHook: rig.url });
    closers.push(() => device.close());
    const said = await failure(device.powerCycle());
    expect(said).toMatch(/^DEVICE_UNREACHABLE: the power-cycle hook http:\/\/127\.0\.0\.1:\d+\/cycle answered HTTP 503: the key's power was not cycled$/);
    expect(said).not.toContain('s3cret');
    expect(device.powerCycles).toBe(0);
    const closed = await openDevice(`udp:127.0.0.1:${endpoint.port}`, { udpClientPort: 0, powerCycleHook: 'http://127.0.0.1:9/cycle' });
    closers.push(() => closed.close());
    expect(await failure(closed.powerCycle())).toMatch(/^DEVICE_UNREACHABLE: the power-cycle hook http:\/\/127\.0\.0\.1:9\/cycle did not answer: /);
    expect(await failure(openDevice(`udp:127.0.0.1:${endpoint.port}`, { udpClientPort: 0, powerCycleHook: 'file:///etc/passwd' }))).toBe('BAD_USAGE: --power-cycle-hook wants an http:// or https:// URL, not file:');
    expect(await failure(openDevice(`udp:127.0.0.1:${endpoint.port}`, { udpClientPort: 0, powerCycleHook: 'relay board' }))).toBe('BAD_USAGE: --power-cycle-hook wants an http:// or https:// URL, not "relay board"');
  });
});
