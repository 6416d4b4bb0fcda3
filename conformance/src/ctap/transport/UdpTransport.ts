import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
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
 * For a socket that only ever sends to IP literals (the device answering the address a datagram
 * came from, a client given an address): the address as it is, at once, instead of dgram's
 * default DNS look-up and its deferred callback on every datagram.
 */
export const literalLookup = (address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void => {
  if (isIP(address)) callback(null, address, isIP(address));
  else dns.lookup(address, typeof family === 'number' ? family : 0, callback);
};

/**
 * A firmware simulator (or `fido2-harness softkey --udp`) over UDP: one 64-byte HID report per
 * datagram, no report ID. The client binds `clientPort` (7112 by convention, 0 for any) and
 * accepts datagrams only from the device's address.
 */
export async function openUdpTransport(o: { host: string; port: number; clientPort?: number; clientHost?: string }): Promise<ReportTransport> {
  const socket = dgram.createSocket({ type: o.host.includes(':') ? 'udp6' : 'udp4', lookup: literalLookup });
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
    // datagrams leave in order; a failed send fails the read that waits for its answer, so a
    // message of several packets goes out without a round trip through the event loop per packet
    async send(report) {
      try {
        socket.send(report, o.port, o.host, (e) => {
          if (e) queue.fail(deviceError('DEVICE_UNREACHABLE', `cannot send to ${description}: ${e.message}`, e));
        });
      } catch (e) {
        throw deviceError('DEVICE_UNREACHABLE', `cannot send to ${description}: ${(e as Error).message}`, e);
      }
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
