import { SoftAuthenticator, type SoftAuthenticatorOptions, connectDevice, serveUdpDevice, openUdpTransport, udpPowerCycler, type CtapDevice, type ReportTransport } from '../../conformance/src/index.ts';

/**
 * The software key as a device, reached the two ways a test can reach one here: in this
 * process, and over a real UDP socket on loopback (the simulator transport).
 */
export type Link = 'in-process' | 'udp';
export const LINKS: Link[] = ['in-process', 'udp'];

export async function linkedKey(link: Link, o: SoftAuthenticatorOptions = {}): Promise<{ key: SoftAuthenticator; transport: () => Promise<ReportTransport>; close(): Promise<void> }> {
  const key = new SoftAuthenticator(o);
  if (link === 'in-process') return { key, transport: async () => key.transport(), close: async () => {} };
  const endpoint = await serveUdpDevice(key.server, { host: '127.0.0.1', port: 0 });
  return { key, transport: () => openUdpTransport({ host: '127.0.0.1', port: endpoint.port, clientPort: 0 }), close: () => endpoint.close() };
}

/**
 * A connected device: in process, power-cycled through the key object; over UDP, through the
 * simulators' reboot datagram, as a simulator would be.
 */
export async function connectedKey(link: Link, o: SoftAuthenticatorOptions = {}): Promise<{ key: SoftAuthenticator; device: CtapDevice; close(): Promise<void> }> {
  const l = await linkedKey(link, o);
  const transport = await l.transport();
  const device = await connectDevice(transport, { power: link === 'in-process' ? l.key.powerCycler : udpPowerCycler(transport) });
  return { key: l.key, device, close: async () => { await device.close(); await l.close(); } };
}
