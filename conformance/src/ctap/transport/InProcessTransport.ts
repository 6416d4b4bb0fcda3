import { ReportQueue, type ReportTransport } from './Transport.ts';

/** A device this process hosts: takes a report, answers through `reply` (now or later). */
export interface ReportSink {
  onReport(report: Uint8Array, reply: (report: Uint8Array) => void): void;
}

/**
 * A device in this process behind the same report interface as USB and UDP (tests, check
 * --emulate, the software key in a page): reports are copied both ways and delivered on a
 * later turn, as a real link would.
 */
export function inProcessTransport(device: ReportSink, description = 'in-process'): ReportTransport {
  const queue = new ReportQueue(`the ${description} device`);
  let open = true;
  return {
    description,
    async send(report) {
      const copy = Uint8Array.from(report);
      queueMicrotask(() => {
        if (open) device.onReport(copy, (r) => open && queue.push(Uint8Array.from(r)));
      });
    },
    receive: (timeoutMs) => queue.pop(timeoutMs),
    drain: () => queue.clear(),
    async close() {
      open = false;
    },
  };
}
