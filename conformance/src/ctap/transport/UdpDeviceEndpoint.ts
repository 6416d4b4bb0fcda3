import dgram from 'node:dgram';
import { literalLookup } from './UdpTransport.ts';
import type { ReportSink } from './InProcessTransport.ts';

/**
 * A device served over UDP, the simulator convention (one 64-byte report per datagram, no
 * report ID): `fido2-harness softkey --udp` listens on HOST:PORT and answers each datagram's
 * sender, so other tools and other harness instances can test against it.
 */
export async function serveUdpDevice(device: ReportSink, o: { host?: string; port?: number } = {}): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const host = o.host ?? '127.0.0.1';
  const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', lookup: literalLookup });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(o.port ?? 8111, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => {}); // a failed send to a client that went away is not the device's problem
  socket.on('message', (msg, rinfo) => {
    device.onReport(new Uint8Array(msg), (report) => socket.send(report, rinfo.port, rinfo.address));
  });
  return { host, port: socket.address().port, close: () => new Promise((r) => socket.close(() => r())) };
}
