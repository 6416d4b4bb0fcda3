import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { fakeNodeHid } from '../../../../test/helpers/fakeNodeHid.ts';
import { SoftAuthenticator } from '../../emulation/SoftAuthenticator.ts';
import { fidoDevices, openNodeHidTransport, FIDO_USAGE_PAGE } from './NodeHidTransport.ts';
import { connectDevice } from '../CtapDevice.ts';
import { WebAuthnClient } from '../../platform/WebAuthnClient.ts';
import { main } from '../../cli/main.ts';
import { HarnessError } from '../../errors/HarnessError.ts';

/** The USB path through node-hid, with a fake device object at node-hid's API boundary (no USB here). */
const key = (aaguid = 0x42) => new SoftAuthenticator({ aaguid: new Uint8Array(16).fill(aaguid) });
const fido = (path: string, product: string, device?: SoftAuthenticator) => ({ info: { path, vendorId: 0x1050, productId: 0x0407, manufacturer: 'Yubico', product, usagePage: FIDO_USAGE_PAGE, usage: 1 }, device: device?.server });
const keyboard = { info: { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, manufacturer: 'Logitech', product: 'Keyboard', usagePage: 0x01, usage: 0x06 } };
const sink = () => {
  let text = '';
  return { w: new Writable({ write(c, _e, cb) { text += c; cb(); } }), get text() { return text; } };
};
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof HarnessError ? `${e.code}: ${e.message}` : String(e)));

describe('USB through node-hid (a fake device object at its API boundary)', () => {
  it('lists only FIDO interfaces (usage page 0xF1D0)', () => {
    expect(fidoDevices(fakeNodeHid([keyboard, fido('/dev/hidraw3', 'YubiKey')])).map((d) => d.path)).toEqual(['/dev/hidraw3']);
  });

  it('opens the only key, or the one named; says what to do when there is none, several, or no permission', async () => {
    expect(await code(openNodeHidTransport({ hid: fakeNodeHid([keyboard]) }))).toMatch(/^DEVICE_NOT_FOUND: no FIDO security key found over USB: plug the key in .*docs\/transports.md, USB/);
    expect(await code(openNodeHidTransport({ hid: fakeNodeHid([fido('/dev/hidraw3', 'A'), fido('/dev/hidraw4', 'B')]) }))).toMatch(/^DEVICE_NOT_FOUND: 2 FIDO keys are plugged in: pick one with --device PATH \(\/dev\/hidraw3: Yubico A .*; \/dev\/hidraw4: Yubico B/);
    expect(await code(openNodeHidTransport({ hid: fakeNodeHid([fido('/dev/hidraw3', 'A')]), path: '/dev/hidraw9' }))).toMatch(/^DEVICE_NOT_FOUND: no HID device at \/dev\/hidraw9/);
    expect(await code(openNodeHidTransport({ hid: fakeNodeHid([{ ...fido('/dev/hidraw3', 'A'), openError: 'cannot open device with path /dev/hidraw3' }]) }))).toMatch(/^DEVICE_UNREACHABLE: cannot open usb:\/dev\/hidraw3 .*is your user allowed to read and write \/dev\/hidraw3/);
    const t = await openNodeHidTransport({ hid: fakeNodeHid([fido('/dev/hidraw3', 'A', key()), fido('/dev/hidraw4', 'B', key())]), path: '/dev/hidraw4' });
    expect(t.description).toBe('usb:/dev/hidraw4 Yubico B (1050:0407)');
    await t.close();
  });

  it('a whole ceremony through it: INIT, getInfo, makeCredential, getAssertion, with report ID 0 on every write', async () => {
    const k = key();
    const hid = fakeNodeHid([fido('/dev/hidraw3', 'YubiKey', k)]);
    const device = await connectDevice(await openNodeHidTransport({ hid }));
    expect(device.info?.aaguidText).toBe('42424242-4242-4242-4242-424242424242');
    const client = new WebAuthnClient({ device });
    const reg = await client.create({ challenge: 'dXNi', rp: { id: 'usb.example' }, user: { id: 'dQ' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'required' } }, 'https://usb.example');
    const got = await client.get({ challenge: 'dXNi', rpId: 'usb.example', userVerification: 'required' }, 'https://usb.example');
    expect(got.id).toBe(reg.id);
    expect(hid.writes).toBeGreaterThan(4);
    await device.close();
  });

  it('a key unplugged mid-command: the pending read fails at once, saying so', async () => {
    const hid = fakeNodeHid([fido('/dev/hidraw3', 'YubiKey')]); // nothing answers behind it
    const t = await openNodeHidTransport({ hid });
    const pending = t.receive(5000);
    hid.unplug('/dev/hidraw3');
    expect(await code(pending)).toMatch(/^DEVICE_UNREACHABLE: usb:\/dev\/hidraw3 .*could not read from HID device \(unplugged\?\)/);
  });

  it('the devices and probe commands on it', async () => {
    const hid = fakeNodeHid([keyboard, fido('/dev/hidraw3', 'YubiKey 5 NFC', key(0x77))]);
    const out = sink();
    expect(await main(['devices', '--json'], { io: { out: out.w, err: sink().w }, nodeHid: hid })).toBe(0);
    expect(JSON.parse(out.text).devices).toEqual([{ path: '/dev/hidraw3', vendorId: '0x1050', productId: '0x0407', manufacturer: 'Yubico', product: 'YubiKey 5 NFC', serialNumber: null }]);
    const probe = sink();
    expect(await main(['probe', '--json'], { io: { out: probe.w, err: sink().w }, nodeHid: hid })).toBe(0);
    expect(JSON.parse(probe.text)).toMatchObject({ device: { transport: 'usb:/dev/hidraw3 Yubico YubiKey 5 NFC (1050:0407)' }, getInfo: { aaguid: '77777777-7777-7777-7777-777777777777', versions: ['U2F_V2', 'FIDO_2_0', 'FIDO_2_1', 'FIDO_2_2', 'FIDO_2_3'] }, agrees: null });
    const none = sink();
    expect(await main(['probe'], { io: { out: sink().w, err: none.w }, nodeHid: fakeNodeHid([keyboard]) })).toBe(2);
    expect(none.text).toMatch(/fido2-harness probe: DEVICE_NOT_FOUND: no FIDO security key found over USB/);
  });
});
