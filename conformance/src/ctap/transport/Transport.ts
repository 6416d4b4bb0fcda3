import { deviceError } from '../CtapError.ts';

/**
 * One way to move 64-byte HID reports to and from an authenticator: USB (node-hid), a firmware
 * simulator over UDP, or a device in this process. Everything above (CTAPHID, CTAP2, the
 * WebAuthn client) is the same code whichever it is.
 */
export interface ReportTransport {
  /** "usb:/dev/hidraw3", "udp:127.0.0.1:8111", "in-process" */
  readonly description: string;
  send(report: Uint8Array): Promise<void>;
  /** the next report from the device; DEVICE_TIMEOUT after `timeoutMs` */
  receive(timeoutMs: number): Promise<Uint8Array>;
  /** reports waiting to be read (a stale reply from an earlier, abandoned command) */
  drain(): void;
  close(): Promise<void>;
}

/** Reports as they arrive, handed to whoever waits; bounded so a chattering device cannot grow the process. */
export class ReportQueue {
  private readonly reports: Uint8Array[] = [];
  private readonly waiters: { resolve: (r: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private failure?: Error;
  /** reports dropped because nobody read them (more than 4096 queued) */
  dropped = 0;
  private readonly what: string;

  constructor(what: string) {
    this.what = what;
  }

  push(report: Uint8Array) {
    const w = this.waiters.shift();
    if (w) {
      clearTimeout(w.timer);
      w.resolve(report);
    } else if (this.reports.length < 4096) this.reports.push(report);
    else this.dropped++;
  }

  /** the transport broke (device unplugged, socket error): every waiter and every later read fails with it */
  fail(e: Error) {
    this.failure = e;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  pop(timeoutMs: number): Promise<Uint8Array> {
    const r = this.reports.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(deviceError('DEVICE_TIMEOUT', `${this.what} sent nothing for ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  clear() {
    this.reports.length = 0;
  }
}
