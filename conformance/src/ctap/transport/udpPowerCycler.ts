import crypto from 'node:crypto';
import type { AwaitBack, PowerCycler } from '../power/PowerCycler.ts';
import type { ReportTransport } from './Transport.ts';
import { BROADCAST_CID, CTAPHID } from '../constants.ts';
import { framePackets, parsePacket } from '../hid/packets.ts';
import { deviceError } from '../CtapError.ts';
import { SIMULATOR_REBOOT_DATAGRAM } from '../hid/simulatorReboot.ts';

/**
 * Power-cycles a simulator over its UDP transport: the reboot datagram, then CTAPHID_INIT on the
 * broadcast channel until the device answers again (a simulator that restarts as a new process
 * takes a moment). A simulator that does not know the datagram is left running: the checks that
 * need a power cycle then see a key whose state survived it, and say so.
 */
export function udpPowerCycler(transport: ReportTransport): PowerCycler {
  const back = udpDeviceBack(transport);
  return {
    how: 'simulator',
    async cycle(o = {}) {
      await transport.send(SIMULATOR_REBOOT_DATAGRAM);
      await back(o);
    },
  };
}

/**
 * A device behind UDP is back when it answers CTAPHID_INIT on the broadcast channel (asked every
 * 250 ms until the timeout).
 */
export function udpDeviceBack(transport: ReportTransport): AwaitBack {
  return async (o) => {
    const timeoutMs = o.timeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      transport.drain();
      const nonce = new Uint8Array(crypto.randomBytes(8));
      for (const p of framePackets(BROADCAST_CID, CTAPHID.INIT, nonce)) await transport.send(p);
      const until = Math.min(deadline, Date.now() + 250);
      for (;;) {
        const left = until - Date.now();
        if (left <= 0) break;
        const r = await transport.receive(left).catch(() => undefined);
        const p = r && parsePacket(r);
        if (p && p.kind === 'init' && p.cid === BROADCAST_CID && p.cmd === CTAPHID.INIT && Buffer.from(p.data.subarray(0, 8)).equals(Buffer.from(nonce))) return;
      }
      if (Date.now() >= deadline) throw deviceError('DEVICE_TIMEOUT', `${transport.description} did not come back within ${timeoutMs} ms of its power cycle`);
    }
  };
}
