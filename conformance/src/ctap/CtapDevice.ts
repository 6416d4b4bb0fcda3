import type { ReportTransport } from './transport/Transport.ts';
import { CtapHidClient } from './hid/CtapHidClient.ts';
import { Ctap2Client } from './ctap2/Ctap2Client.ts';
import { Ctap1Client } from './ctap1/Ctap1Client.ts';
import type { AuthenticatorInfo } from './ctap2/getInfo.ts';
import type { CallOptions } from './connection/CallOptions.ts';
import type { CtapConnection } from './connection/CtapConnection.ts';
import type { PowerCycler } from './power/PowerCycler.ts';
import { openUdpTransport, parseUdpSpec } from './transport/UdpTransport.ts';
import { udpDeviceBack, udpPowerCycler } from './transport/udpPowerCycler.ts';
import { hookPowerCycler } from './power/hookPowerCycler.ts';
import { HidKeyWatch, replugPowerCycler } from './transport/hidReplug.ts';
import { loadNodeHid, openNodeHidTransport, type NodeHidApi } from './transport/NodeHidTransport.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { NfcConnection, type ApduTransport, type NfcOptions } from './iso7816/NfcConnection.ts';
import { PcscApduTransport, listPcscReaders, loadPcsc, parsePcscSpec, probeReader, type PcscApi } from './transport/PcscTransport.ts';
import { deviceError } from './CtapError.ts';

export interface ConnectOptions extends CallOptions {
  /** how this key is power-cycled, when it can be */
  power?: PowerCycler;
}

/**
 * An authenticator, connected: its connection (whatever carries the bytes), its CTAP2 and CTAP1
 * sides, what it says about itself (getInfo, kept fresh by the CTAP2 client), and how it is
 * power-cycled. After a power cycle the same object is connected again: a new channel, getInfo
 * read again, the clients on the new connection.
 */
export class CtapDevice {
  connection: CtapConnection;
  readonly ctap2?: Ctap2Client;
  readonly ctap1?: Ctap1Client;
  readonly power?: PowerCycler;
  /** power cycles done through this object */
  powerCycles = 0;
  private readonly reopen: (previous: CtapConnection) => Promise<CtapConnection>;

  private constructor(connection: CtapConnection, reopen: (previous: CtapConnection) => Promise<CtapConnection>, power: PowerCycler | undefined) {
    this.connection = connection;
    this.reopen = reopen;
    this.power = power;
    this.ctap2 = connection.supportsCbor ? new Ctap2Client(connection) : undefined;
    this.ctap1 = connection.supportsMsg ? new Ctap1Client(connection) : undefined;
  }

  /**
   * Opens the connection, then getInfo (CTAP2). What was opened is closed again if that fails.
   * `reopen`: how the key is reached again after a power cycle (it closes what must be closed).
   */
  static async connect(open: () => Promise<CtapConnection>, o: ConnectOptions & { reopen?: (previous: CtapConnection) => Promise<CtapConnection> } = {}): Promise<CtapDevice> {
    const connection = await open();
    try {
      const d = new CtapDevice(connection, o.reopen ?? (async (previous) => {
        await previous.close().catch(() => {});
        return open();
      }), o.power);
      if (d.ctap2) await d.ctap2.getInfo(o);
      return d;
    } catch (e) {
      await connection.close().catch(() => {});
      throw e;
    }
  }

  /** authenticatorGetInfo as last read (absent for a CTAP1/U2F-only key) */
  get info(): AuthenticatorInfo | undefined {
    return this.ctap2?.info;
  }

  get description(): string {
    return this.connection.description;
  }

  /** the CTAPHID side, for the transport's own checks; undefined over NFC */
  get hid(): CtapHidClient | undefined {
    return this.connection instanceof CtapHidClient ? this.connection : undefined;
  }

  /**
   * Power-cycles the key and connects again. Over a simulator this is a control message; over USB
   * the person unplugs and replugs the key (`prompt` says so); without a way to do it, a
   * BAD_USAGE error naming what would make it possible.
   */
  async powerCycle(o: { prompt?: (message: string) => void; timeoutMs?: number } & CallOptions = {}): Promise<void> {
    if (!this.power) throw new HarnessError('BAD_USAGE', `${this.description} cannot be power-cycled by the harness: run the software key or a simulator, replug a USB key when asked, or give --power-cycle-hook URL`);
    await this.power.cycle(o);
    this.connection = await this.reopen(this.connection);
    this.powerCycles++;
    if (this.ctap2) {
      this.ctap2.connection = this.connection;
      await this.ctap2.getInfo(o);
    }
    if (this.ctap1) this.ctap1.connection = this.connection;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/**
 * A device behind a report transport (CTAPHID: USB, UDP, in process): INIT on the broadcast
 * channel, then getInfo. After a power cycle the same transport is initialised again (a key that
 * lost its channels hands out a new one), unless `reopenTransport` opens a new one (USB: the
 * replugged key is a new handle).
 */
export function connectDevice(transport: ReportTransport, o: ConnectOptions & { reopenTransport?: () => Promise<ReportTransport> } = {}): Promise<CtapDevice> {
  return connectThrough(transport, (t) => CtapHidClient.open(t, { timeoutMs: o.timeoutMs }), o);
}

/**
 * A card behind an APDU transport (PC/SC, in process): SELECT of the FIDO applet, then getInfo.
 * After a power cycle the applet is selected again (on the transport `reopenTransport` gives, if any).
 */
export function connectNfc(transport: ApduTransport, o: ConnectOptions & NfcOptions & { reopenTransport?: () => Promise<ApduTransport> } = {}): Promise<CtapDevice> {
  return connectThrough(transport, (t) => NfcConnection.open(t, o), o);
}

/** The connection `openOn` makes on a transport (closed again if that fails), and the same after a power cycle. */
function connectThrough<T extends { close(): Promise<void> }>(transport: T, openOn: (t: T) => Promise<CtapConnection>, o: ConnectOptions & { reopenTransport?: () => Promise<T> }): Promise<CtapDevice> {
  let current = transport;
  const open = async (): Promise<CtapConnection> => {
    try {
      return await openOn(current);
    } catch (e) {
      await current.close().catch(() => {});
      throw e;
    }
  };
  const reopen = async (previous: CtapConnection): Promise<CtapConnection> => {
    if (o.reopenTransport) {
      await previous.close().catch(() => {});
      current = await o.reopenTransport();
    }
    return open();
  };
  return CtapDevice.connect(open, { ...o, reopen });
}

export interface OpenDeviceOptions extends CallOptions {
  /** node-hid (or a fake of its API); loaded on demand for USB */
  nodeHid?: NodeHidApi;
  /** UDP: the port this client binds (7112 by convention; 0 for any) */
  udpClientPort?: number;
  /** how the key is power-cycled, instead of the transport's own way */
  power?: PowerCycler;
  /** `--power-cycle-hook URL`: a vendor's rig cycles the power when this URL is POSTed to */
  powerCycleHook?: string;
  /** for the hook (tests give their own) */
  fetch?: typeof fetch;
  /** PC/SC (the `smartcard` module, or a stand-in at its API); loaded on demand for pcsc: */
  pcsc?: PcscApi;
}

/** `pcsc:READER`, or `pcsc:` for the first reader whose card selects the FIDO applet. */
async function openPcscDevice(spec: string, o: OpenDeviceOptions): Promise<CtapDevice> {
  const api = o.pcsc ?? (await loadPcsc());
  let reader = parsePcscSpec(spec);
  if (!reader) {
    const names = listPcscReaders(api);
    if (!names.length) throw deviceError('DEVICE_NOT_FOUND', 'no PC/SC reader is connected (plug one in; on Linux pcscd must run)');
    const probed = [];
    for (const n of names) {
      const p = await probeReader(api, n);
      if (p.fido) {
        reader = n;
        break;
      }
      probed.push(`${n}: ${p.why}`);
    }
    if (!reader) throw deviceError('DEVICE_NOT_FOUND', `no reader holds a FIDO key (${probed.join('; ')}): hold the key on the reader, or name one with --device pcsc:NAME`);
  }
  const transport = await PcscApduTransport.open(api, reader);
  // after the field went off and on, the same card connection selects the applet again
  const power: PowerCycler = o.power ?? (o.powerCycleHook
    ? hookPowerCycler({ url: o.powerCycleHook, device: transport.description, back: async () => {}, fetch: o.fetch })
    : { how: 'reader', cycle: () => transport.powerCycle() });
  return connectNfc(transport, { ...o, power });
}

/**
 * `--device`: udp:HOST:PORT for a simulator, pcsc:READER for a key on an NFC reader, a HID path
 * for one USB key, or nothing for the only FIDO key plugged in.
 */
export async function openDevice(spec: string | undefined, o: OpenDeviceOptions = {}): Promise<CtapDevice> {
  if (spec?.startsWith('pcsc:')) return openPcscDevice(spec, o);
  if (spec?.startsWith('udp')) {
    const { host, port } = parseUdpSpec(spec);
    const transport = await openUdpTransport({ host, port, clientPort: o.udpClientPort });
    const power = o.power ?? (o.powerCycleHook
      ? hookPowerCycler({ url: o.powerCycleHook, device: transport.description, back: udpDeviceBack(transport), fetch: o.fetch })
      : udpPowerCycler(transport));
    return connectDevice(transport, { ...o, power });
  }
  const hid = o.nodeHid ?? (await loadNodeHid());
  const transport = await openNodeHidTransport({ hid, path: spec });
  // a replugged key may come back under another path: the watch follows it
  const watch = new HidKeyWatch(hid, transport.hidInfo);
  const power = o.power ?? (o.powerCycleHook
    ? hookPowerCycler({ url: o.powerCycleHook, device: transport.description, back: watch.back({ requireGone: false }), fetch: o.fetch })
    : replugPowerCycler(watch, transport.description));
  return connectDevice(transport, { ...o, power, reopenTransport: () => openNodeHidTransport({ hid, path: watch.path }) });
}
