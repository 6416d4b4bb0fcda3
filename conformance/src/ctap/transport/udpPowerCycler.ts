import crypto from 'node:crypto';
import type { PowerCycler } from '../power/PowerCycler.ts';
import type { ReportTransport } from './Transport.ts';
import { BROADCAST_CID, CTAPHID } from '../constants.ts';
import { framePackets, parsePacket } from '../hid/packets.ts';
import { deviceError } from '../CtapError.ts';

/**
 * The simulators' power-cycle datagram: 64 fixed bytes that a firmware simulator on UDP takes as
 * "restart now" (the convention of the fido2-tests suite's `--sim` mode, `send_magic_reboot`, which
 * the SoloKeys PC simulator answers; `fido2-harness softkey --udp` answers it too). It is no
 * CTAPHID packet a host would send: its channel is not one the key handed out.
 */
export const SIMULATOR_REBOOT_DATAGRAM = Uint8Array.from(Buffer.from(
  'ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc',
  'hex',
));

export const isSimulatorReboot = (report: Uint8Array) => report.length === 64 && Buffer.from(report).equals(Buffer.from(SIMULATOR_REBOOT_DATAGRAM));

/**
 * Power-cycles a simulator over its UDP transport: the reboot datagram, then CTAPHID_INIT on the
 * broadcast channel until the device answers again (a simulator that restarts as a new process
 * takes a moment). A simulator that does not know the datagram is left running: the checks that
 * need a power cycle then see a key whose state survived it, and say so.
 */
export function udpPowerCycler(transport: ReportTransport): PowerCycler {
  return {
    how: 'simulator',
    async cycle(o = {}) {
      await transport.send(SIMULATOR_REBOOT_DATAGRAM);
      const deadline = Date.now() + (o.timeoutMs ?? 5000);
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
        if (Date.now() >= deadline) throw deviceError('DEVICE_TIMEOUT', `${transport.description} did not come back within ${o.timeoutMs ?? 5000} ms of its power cycle`);
      }
    },
  };
}
