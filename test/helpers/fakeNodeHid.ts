import type { HidDeviceHandle, HidDeviceInfo, NodeHidApi, ReportSink } from '../../conformance/src/index.ts';

/**
 * A stand-in for the node-hid module at its API boundary (devices(), new HID(path), write with a
 * report ID byte, 'data' and 'error' events, close): what the USB path needs on a machine with no
 * USB device. Behind each fake device sits a real CTAPHID device (the software key's server), so
 * everything above node-hid is the real code.
 */
export interface FakeHidDevice {
  info: HidDeviceInfo;
  device?: ReportSink;
  /** make open() throw (permissions) */
  openError?: string;
}

export function fakeNodeHid(initial: FakeHidDevice[]): NodeHidApi & { writes: number; unplug(path: string): void; plug(d: FakeHidDevice): void } {
  const devices = [...initial];
  const open = new Map<string, Set<(e: Error) => void>>();
  const api = {
    writes: 0,
    devices: () => devices.map((d) => ({ ...d.info })),
    /** the key leaves the bus: reads on its open handles fail, devices() no longer lists it */
    unplug(path: string) {
      for (const fail of open.get(path) ?? []) fail(new Error('could not read from HID device'));
      open.delete(path);
      const i = devices.findIndex((d) => d.info.path === path);
      if (i >= 0) devices.splice(i, 1);
    },
    /** a key arrives on the bus (again) */
    plug(d: FakeHidDevice) {
      devices.push(d);
    },
    HID: class implements HidDeviceHandle {
      private readonly data = new Set<(b: Buffer) => void>();
      private readonly errors = new Set<(e: Error) => void>();
      private readonly dev: FakeHidDevice;
      private closed = false;
      constructor(path: string) {
        const d = devices.find((x) => x.info.path === path);
        if (!d) throw new Error(`cannot open device with path ${path}`);
        if (d.openError) throw new Error(d.openError);
        this.dev = d;
        const fails = open.get(path) ?? new Set();
        fails.add((e) => this.errors.forEach((f) => f(e)));
        open.set(path, fails);
      }
      write(data: number[]): number {
        if (this.closed) throw new Error('device closed');
        api.writes++;
        // hidapi: the first byte is the report ID (0 for devices without report IDs)
        if (data[0] !== 0) throw new Error('the FIDO HID interface has no report IDs: the first byte must be 0');
        const report = Uint8Array.from(data.slice(1));
        queueMicrotask(() => this.dev.device?.onReport(report, (r) => !this.closed && this.data.forEach((f) => f(Buffer.from(r)))));
        return data.length;
      }
      on(event: 'data' | 'error', cb: ((b: Buffer) => void) & ((e: Error) => void)) {
        (event === 'data' ? this.data : this.errors).add(cb);
        return this;
      }
      close() {
        this.closed = true;
      }
    },
  };
  return api;
}
