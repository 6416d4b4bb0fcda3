import { HarnessError } from '../../errors/HarnessError.ts';
import { deviceError } from '../CtapError.ts';
import { HID_REPORT_SIZE } from '../constants.ts';
import { ReportQueue, type ReportTransport } from './Transport.ts';

/** FIDO HID usage page and CTAPHID usage (CTAP 2.1 §11.2.8.1). */
export const FIDO_USAGE_PAGE = 0xf1d0;
export const FIDO_USAGE = 0x01;

/** What node-hid's `devices()` reports for one HID interface (the fields we read). */
export interface HidDeviceInfo {
  path?: string;
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
}

/** The part of an open node-hid device the transport uses. */
export interface HidDeviceHandle {
  write(data: number[]): number;
  on(event: 'data', cb: (data: Buffer) => void): unknown;
  on(event: 'error', cb: (e: Error) => void): unknown;
  close(): void;
}

/**
 * node-hid's API as the harness uses it: the seam where the real module (USB) or a fake device
 * object (tests on machines without USB) plugs in.
 */
export interface NodeHidApi {
  devices(): HidDeviceInfo[];
  HID: new (path: string) => HidDeviceHandle;
}

/** node-hid itself, loaded only when a USB device is asked for (an optional dependency with prebuilt binaries). */
export async function loadNodeHid(): Promise<NodeHidApi> {
  try {
    const mod = (await import('node-hid')) as unknown as { default?: NodeHidApi } & NodeHidApi;
    return mod.default ?? mod;
  } catch (e) {
    throw new HarnessError('DEVICE_UNREACHABLE', `USB access needs node-hid, which did not load here (${(e as Error).message}): npm install node-hid (prebuilt binaries ship in its package), or test over UDP with --device udp:HOST:PORT`, { cause: e });
  }
}

/** FIDO authenticators among the HID devices (usage page 0xF1D0, usage 1). */
export function fidoDevices(hid: NodeHidApi): HidDeviceInfo[] {
  return hid.devices().filter((d) => d.usagePage === FIDO_USAGE_PAGE && (d.usage === undefined || d.usage === FIDO_USAGE) && d.path);
}

/** "Yubico YubiKey 5 NFC (1050:0407)" */
export const describeHidDevice = (d: HidDeviceInfo) => `${d.manufacturer ?? '?'} ${d.product ?? '?'} (${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')})`;

/**
 * A USB key through node-hid: reports written with report ID 0 (hidapi's convention for
 * devices without report IDs), read as they arrive. `path` picks one of several keys; none: the
 * only one plugged in (several: the error lists them).
 */
export async function openNodeHidTransport(o: { hid: NodeHidApi; path?: string }): Promise<ReportTransport & { readonly hidInfo: HidDeviceInfo }> {
  const found = fidoDevices(o.hid);
  let info: HidDeviceInfo | undefined;
  if (o.path) {
    info = found.find((d) => d.path === o.path) ?? o.hid.devices().find((d) => d.path === o.path);
    if (!info) throw deviceError('DEVICE_NOT_FOUND', `no HID device at ${o.path}: fido2-harness devices lists the FIDO keys plugged in${found.length ? ` (${found.map((d) => d.path).join(', ')})` : ''}`);
  } else {
    if (!found.length) throw deviceError('DEVICE_NOT_FOUND', 'no FIDO security key found over USB: plug the key in (on Linux, your user needs read/write access to its /dev/hidraw*: see docs/transports.md, USB)');
    if (found.length > 1) throw deviceError('DEVICE_NOT_FOUND', `${found.length} FIDO keys are plugged in: pick one with --device PATH (${found.map((d) => `${d.path}: ${describeHidDevice(d)}`).join('; ')})`);
    info = found[0]!;
  }
  const description = `usb:${info.path} ${describeHidDevice(info)}`;
  let handle: HidDeviceHandle;
  try {
    handle = new o.hid.HID(info.path!);
  } catch (e) {
    throw deviceError('DEVICE_UNREACHABLE', `cannot open ${description}: ${(e as Error).message} (on Linux: is your user allowed to read and write ${info.path}? see docs/transports.md, USB)`, e);
  }
  const queue = new ReportQueue(description);
  handle.on('data', (data) => queue.push(new Uint8Array(data)));
  handle.on('error', (e) => queue.fail(deviceError('DEVICE_UNREACHABLE', `${description}: ${e.message} (unplugged?)`, e)));
  let closed = false;
  return {
    description,
    hidInfo: info,
    async send(report) {
      if (report.length !== HID_REPORT_SIZE) throw new HarnessError('DEVICE_PROTOCOL', `a HID report is ${HID_REPORT_SIZE} bytes, not ${report.length}`);
      let n: number;
      try {
        n = handle.write([0x00, ...report]);
      } catch (e) {
        throw deviceError('DEVICE_UNREACHABLE', `cannot write to ${description}: ${(e as Error).message}`, e);
      }
      if (n < HID_REPORT_SIZE) throw deviceError('DEVICE_UNREACHABLE', `${description} took ${n} of ${HID_REPORT_SIZE + 1} bytes`);
    },
    receive: (timeoutMs) => queue.pop(timeoutMs),
    drain: () => queue.clear(),
    async close() {
      if (closed) return;
      closed = true;
      queue.fail(deviceError('DEVICE_UNREACHABLE', `${description} is closed`));
      handle.close();
    },
  };
}
