import type { AwaitBack, PowerCycler } from '../power/PowerCycler.ts';
import { deviceError } from '../CtapError.ts';
import { describeHidDevice, fidoDevices, type HidDeviceInfo, type NodeHidApi } from './NodeHidTransport.ts';

/** How long a person has to unplug and replug a key before the run stops waiting. */
export const REPLUG_TIMEOUT_MS = 60_000;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const sameKey = (a: HidDeviceInfo, b: HidDeviceInfo) =>
  a.vendorId === b.vendorId && a.productId === b.productId && (a.serialNumber ?? '') === (b.serialNumber ?? '');

/**
 * Watches one USB key through a power cycle: it leaves the bus and comes back, possibly under a
 * new path (hidraw numbers are handed out again on Linux). `path` is where it is now.
 * `requireGone`: the key must first be seen gone (a person replugging it: until it has gone, the
 * old handle is the old power-up). Otherwise (a hook that answered has already cycled it) the key
 * is given `graceMs` to leave the bus, as the host may not have noticed yet; if it is never seen
 * gone, the key as listed is the key after the cycle.
 */
export class HidKeyWatch {
  path: string;
  private readonly hid: NodeHidApi;
  private readonly key: HidDeviceInfo;
  private readonly pollMs: number;

  constructor(hid: NodeHidApi, key: HidDeviceInfo, o: { pollMs?: number } = {}) {
    this.hid = hid;
    this.key = key;
    this.path = key.path!;
    this.pollMs = o.pollMs ?? 100;
  }

  private find(): HidDeviceInfo[] {
    return fidoDevices(this.hid).filter((d) => sameKey(d, this.key));
  }

  back(o: { requireGone: boolean; graceMs?: number }): AwaitBack {
    return async (c) => {
      const timeoutMs = c.timeoutMs ?? REPLUG_TIMEOUT_MS;
      const deadline = Date.now() + timeoutMs;
      const what = describeHidDevice(this.key);
      const graceUntil = o.requireGone ? Infinity : Date.now() + (o.graceMs ?? 2000);
      let gone = false;
      for (;;) {
        const present = this.find();
        if (!gone && !present.some((d) => d.path === this.path)) {
          gone = true;
          if (o.requireGone) c.prompt?.(`${what} is unplugged: plug it back in`);
        }
        if (!gone && Date.now() >= graceUntil) gone = true;
        if (gone && present.length) {
          const again = present.find((d) => d.path === this.path) ?? present[0]!;
          if (present.length > 1 && again.path !== this.path) throw deviceError('DEVICE_NOT_FOUND', `${present.length} keys like ${what} came back (${present.map((d) => d.path).join(', ')}): leave only the key under test plugged in`);
          this.path = again.path!;
          return;
        }
        if (Date.now() >= deadline) {
          throw deviceError('DEVICE_TIMEOUT', gone
            ? `${what} did not come back within ${seconds(timeoutMs)} of its power cycle`
            : `${what} was not unplugged within ${seconds(timeoutMs)}: the power cycle did not happen`);
        }
        await new Promise((r) => setTimeout(r, this.pollMs));
      }
    };
  }
}

/** A USB key power-cycled by the person at the desk: asked to unplug and replug it. */
export function replugPowerCycler(watch: HidKeyWatch, what: string): PowerCycler {
  const back = watch.back({ requireGone: true });
  return {
    how: 'person',
    async cycle(c = {}) {
      c.prompt?.(`Unplug ${what} and plug it back in (the run waits up to ${seconds(c.timeoutMs ?? REPLUG_TIMEOUT_MS)})`);
      await back(c);
    },
  };
}
