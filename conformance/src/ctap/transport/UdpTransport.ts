import dgram from 'node:dgram';
import { HarnessError } from '../../errors/HarnessError.ts';
import { deviceError } from '../CtapError.ts';
import { ReportQueue, type ReportTransport } from './Transport.ts';

/** The UDP simulator convention (SoloKeys' PC simulator, fido2-tests --sim): device on 8111, replies to 7112. */
export const UDP_DEVICE_PORT = 8111;
export const UDP_CLIENT_PORT = 7112;

/** "udp:HOST:PORT" (or "udp:PORT", "udp") to its parts. */
export function parseUdpSpec(spec: string): { host: string; port: number } {
  const m = /^udp(?::(?:\[([^\]]+)\]|([^:]+)))?(?::(\d+))?$/.exec(spec);
  if (!m) throw new HarnessError('BAD_USAGE', `--device ${JSON.stringify(spec)}: expected udp:HOST:PORT, e.g. udp:127.0.0.1:${UDP_DEVICE_PORT}`);
  let host = m[1] ?? m[2] ?? '127.0.0.1';
  let port = m[3] === undefined ? UDP_DEVICE_PORT : Number(m[3]);
  if (m[3] === undefined && /^\d+$/.test(host)) {
    port = Number(host);
    host = '127.0.0.1';
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HarnessError('BAD_USAGE', `--device ${spec}: port must be 1-65535`);
  return { host, port };
}

/**
 * A firmware simulator (or `fido2-harness softkey --udp`) over UDP: one 64-byte HID report per
 * datagram, no report ID. The client binds `clientPort` (7112 by convention, 0 for any) and
 * accepts datagrams only from the device's address.
 */
export async function openUdpTransport(o: { host: string; port: number; clientPort?: number; clientHost?: string }): Promise<ReportTransport> {
  const socket = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
  const description = `udp:${o.host}:${o.port}`;
  const queue = new ReportQueue(`the device at ${description}`);
  let strangers = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (e) => reject(e.message.includes('EADDRINUSE') ? deviceError('DEVICE_UNREACHABLE', `UDP port ${o.clientPort ?? UDP_CLIENT_PORT} is in use (another client?): pass --udp-client-port N (0 for any free port)`, e) : deviceError('DEVICE_UNREACHABLE', `cannot open a UDP socket for ${description}: ${e.message}`, e)));
    socket.bind(o.clientPort ?? UDP_CLIENT_PORT, o.clientHost ?? (o.host.includes(':') ? '::1' : '127.0.0.1'), () => resolve());
  });
  socket.on('error', (e) => queue.fail(deviceError('DEVICE_UNREACHABLE', `${description}: ${e.message}`, e)));
  let deviceAddress: string | undefined;
  socket.on('message', (msg, rinfo) => {
    // the device's address as it answers (localhost may resolve to another loopback form)
    if (rinfo.port !== o.port || (deviceAddress !== undefined && rinfo.address !== deviceAddress)) {
      strangers++;
      return;
    }
    deviceAddress ??= rinfo.address;
    queue.push(new Uint8Array(msg));
  });
  return {
    description,
    async send(report) {
      await new Promise<void>((resolve, reject) => socket.send(report, o.port, o.host, (e) => (e ? reject(deviceError('DEVICE_UNREACHABLE', `cannot send to ${description}: ${e.message}`, e)) : resolve())));
    },
    receive: (timeoutMs) => queue.pop(timeoutMs).catch((e: HarnessError) => {
      throw e.code === 'DEVICE_TIMEOUT' ? deviceError('DEVICE_TIMEOUT', `${e.message}${strangers ? ` (${strangers} datagram(s) from other addresses ignored)` : ''}: is the simulator running on ${o.host}:${o.port}?`) : e;
    }),
    drain: () => queue.clear(),
    close: async () => {
      queue.fail(deviceError('DEVICE_UNREACHABLE', `${description} is closed`));
      await new Promise<void>((r) => socket.close(() => r()));
    },
  };
}
