import { HarnessError } from '../errors/HarnessError.ts';
import { openDevice, type CtapDevice } from '../ctap/CtapDevice.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';
import { UDP_CLIENT_PORT } from '../ctap/transport/UdpTransport.ts';
import { parseHookUrl } from '../ctap/power/hookPowerCycler.ts';

/** The power-cycle options of the commands that may power-cycle the key (check --ctap, reset). */
export const POWER_CYCLE_OPTIONS = { 'power-cycle-hook': { type: 'string' } } as const;

export const POWER_CYCLE_HELP = `  --power-cycle-hook URL
                     a rig that cycles the key's power (a relay, a switchable hub): POSTed
                     {"action":"power-cycle","device":…} when a check needs a power cycle; without
                     it a USB key is replugged by the person when asked (in a terminal), a
                     simulator over UDP gets the reboot datagram`;

export const DEVICE_OPTIONS = { device: { type: 'string' }, 'udp-client-port': { type: 'string' } } as const;

export const DEVICE_HELP = `  --device PATH|udp:HOST:PORT
                     the key: a HID path (fido2-harness devices lists them), a simulator over UDP,
                     or nothing for the only FIDO key plugged in
  --udp-client-port N
                     UDP: the port this end binds (default ${UDP_CLIENT_PORT}, the simulator convention; 0 for any)`;

/** --device and --udp-client-port to a connected device. */
export async function deviceFromArgs(v: { device?: string; 'udp-client-port'?: string; 'power-cycle-hook'?: string }, o: { nodeHid?: NodeHidApi; fetch?: typeof fetch } = {}): Promise<CtapDevice> {
  let udpClientPort: number | undefined;
  if (v['udp-client-port'] !== undefined) {
    udpClientPort = Number(v['udp-client-port']);
    if (!Number.isInteger(udpClientPort) || udpClientPort < 0 || udpClientPort > 65535) throw new HarnessError('BAD_USAGE', `--udp-client-port must be 0-65535, not ${JSON.stringify(v['udp-client-port'])}`);
  }
  if (v['power-cycle-hook'] !== undefined) parseHookUrl(v['power-cycle-hook']);
  return openDevice(v.device, { nodeHid: o.nodeHid, udpClientPort, powerCycleHook: v['power-cycle-hook'], fetch: o.fetch });
}
