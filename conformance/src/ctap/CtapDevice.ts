import type { ReportTransport } from './transport/Transport.ts';
import { CtapHidClient, type CallOptions } from './hid/CtapHidClient.ts';
import { Ctap2Client } from './ctap2/Ctap2Client.ts';
import { Ctap1Client } from './ctap1/Ctap1Client.ts';
import type { AuthenticatorInfo } from './ctap2/getInfo.ts';
import { openUdpTransport, parseUdpSpec } from './transport/UdpTransport.ts';
import { loadNodeHid, openNodeHidTransport, type NodeHidApi } from './transport/NodeHidTransport.ts';

/** An authenticator, connected: its channel, its CTAP2 and CTAP1 sides, and what it said about itself. */
export interface CtapDevice {
  readonly transport: ReportTransport;
  readonly hid: CtapHidClient;
  /** present when the device speaks CTAP2 (CTAPHID capability CBOR) */
  readonly ctap2?: Ctap2Client;
  /** present when the device speaks CTAP1/U2F (no NMSG capability) */
  readonly ctap1?: Ctap1Client;
  /** authenticatorGetInfo, read at connect */
  readonly info?: AuthenticatorInfo;
  close(): Promise<void>;
}

/** INIT, then getInfo (CTAP2) or the U2F version (CTAP1 only). The transport is closed if that fails. */
export async function connectDevice(transport: ReportTransport, o: CallOptions = {}): Promise<CtapDevice> {
  try {
    const hid = await CtapHidClient.open(transport, { timeoutMs: o.timeoutMs });
    const ctap2 = hid.supportsCbor ? new Ctap2Client(hid) : undefined;
    const ctap1 = hid.supportsMsg ? new Ctap1Client(hid) : undefined;
    const info = ctap2 ? await ctap2.getInfo(o) : undefined;
    return { transport, hid, ctap2, ctap1, info, close: () => transport.close() };
  } catch (e) {
    await transport.close().catch(() => {});
    throw e;
  }
}

export interface OpenDeviceOptions extends CallOptions {
  /** node-hid (or a fake of its API); loaded on demand for USB */
  nodeHid?: NodeHidApi;
  /** UDP: the port this client binds (7112 by convention; 0 for any) */
  udpClientPort?: number;
}

/**
 * `--device`: udp:HOST:PORT for a simulator, a HID path for one USB key, or nothing for the only
 * FIDO key plugged in.
 */
export async function openDevice(spec: string | undefined, o: OpenDeviceOptions = {}): Promise<CtapDevice> {
  if (spec?.startsWith('udp')) {
    const { host, port } = parseUdpSpec(spec);
    return connectDevice(await openUdpTransport({ host, port, clientPort: o.udpClientPort }), o);
  }
  const hid = o.nodeHid ?? (await loadNodeHid());
  return connectDevice(await openNodeHidTransport({ hid, path: spec }), o);
}
