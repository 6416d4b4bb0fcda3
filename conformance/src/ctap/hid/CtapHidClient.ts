import crypto from 'node:crypto';
import type { ReportTransport } from '../transport/Transport.ts';
import { BROADCAST_CID, CAPABILITY, CTAPHID, CTAPHID_NAMES, HID_REPORT_SIZE, KEEPALIVE, MAX_HID_MESSAGE, CTAP2_NAMES } from '../constants.ts';
import { CtapError, deviceError } from '../CtapError.ts';
import { CTAP_STATUS } from '../status.ts';

/** How long a request is asked again while the key answers CTAP1_ERR_CHANNEL_BUSY (another client's transaction). */
export const BUSY_RETRY_MS = 10_000;
import { MessageAssembler, framePackets, parsePacket } from './packets.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { CtapConnection } from '../connection/CtapConnection.ts';

export interface HidDeviceInfoFromInit {
  cid: number;
  protocolVersion: number;
  deviceVersion: [number, number, number];
  capabilities: number;
}

/** What the client saw on the wire during the last transaction: for the conformance checks. */
export interface TransactionLog {
  keepalives: number[];
  /** reports for other channels that were skipped */
  foreign: number;
}

const name = (cmd: number, payload?: Uint8Array) => (cmd === CTAPHID.CBOR && payload?.length ? CTAP2_NAMES[payload[0]!] ?? `CTAPHID_CBOR 0x${payload[0]!.toString(16)}` : CTAPHID_NAMES[cmd] ?? `CTAPHID command 0x${cmd.toString(16)}`);

/**
 * The host side of CTAPHID (CTAP 2.1 §11.2): a channel allocated with INIT (nonce checked),
 * messages framed into packets and reassembled with sequence checks, KEEPALIVE surfaced as
 * events, ERROR packets as CtapError, every wait bounded. Reports for other channels are
 * skipped, as a host sharing a device must.
 */
export class CtapHidClient implements CtapConnection {
  readonly kind = 'hid' as const;
  readonly transport: ReportTransport;
  cid: number;
  info: HidDeviceInfoFromInit;
  readonly lastTransaction: TransactionLog = { keepalives: [], foreign: 0 };

  private constructor(transport: ReportTransport, info: HidDeviceInfoFromInit) {
    this.transport = transport;
    this.cid = info.cid;
    this.info = info;
  }

  get description(): string {
    return this.transport.description;
  }

  details(): Record<string, unknown> {
    return { transport: 'CTAPHID', channel: `0x${this.cid.toString(16).padStart(8, '0')}`, protocolVersion: this.info.protocolVersion, deviceVersion: this.info.deviceVersion.join('.'), capabilities: { wink: this.supportsWink, cbor: this.supportsCbor, msg: this.supportsMsg } };
  }

  get supportsCbor() {
    return (this.info.capabilities & CAPABILITY.CBOR) !== 0;
  }

  get supportsMsg() {
    return (this.info.capabilities & CAPABILITY.NMSG) === 0;
  }

  get supportsWink() {
    return (this.info.capabilities & CAPABILITY.WINK) !== 0;
  }

  /** INIT on the broadcast channel: allocates our channel. */
  static async open(transport: ReportTransport, o: { timeoutMs?: number; nonce?: Uint8Array } = {}): Promise<CtapHidClient> {
    transport.drain();
    const info = await CtapHidClient.init(transport, BROADCAST_CID, o.nonce ?? crypto.randomBytes(8), o.timeoutMs ?? 3000);
    if (info.cid === 0 || info.cid === BROADCAST_CID) throw deviceError('DEVICE_PROTOCOL', `CTAPHID_INIT allocated the reserved channel 0x${info.cid.toString(16).padStart(8, '0')}`);
    return new CtapHidClient(transport, info);
  }

  /** INIT again on our own channel: aborts whatever the device was doing for us and resynchronises. */
  async resync(o: { timeoutMs?: number } = {}): Promise<HidDeviceInfoFromInit> {
    const info = await CtapHidClient.init(this.transport, this.cid, crypto.randomBytes(8), o.timeoutMs ?? 3000);
    if (info.cid !== this.cid) throw deviceError('DEVICE_PROTOCOL', `CTAPHID_INIT on channel 0x${this.cid.toString(16)} answered with channel 0x${info.cid.toString(16)}; a resync keeps the channel`);
    this.info = info;
    return info;
  }

  private static async init(transport: ReportTransport, cid: number, nonce: Uint8Array, timeoutMs: number): Promise<HidDeviceInfoFromInit> {
    for (const p of framePackets(cid, CTAPHID.INIT, nonce)) await transport.send(p);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw deviceError('DEVICE_TIMEOUT', `CTAPHID_INIT: no answer with our nonce within ${timeoutMs} ms (${transport.description})`);
      let report: Uint8Array;
      try {
        report = await transport.receive(left);
      } catch (e) {
        if ((e as { code?: string }).code === 'DEVICE_TIMEOUT') throw deviceError('DEVICE_TIMEOUT', `CTAPHID_INIT: ${transport.description} did not answer within ${timeoutMs} ms: is it plugged in / running?`, e);
        throw e;
      }
      const p = parsePacket(report);
      if (!p || p.kind !== 'init' || p.cid !== cid) continue; // another host's traffic
      if (p.cmd === CTAPHID.ERROR) throw new CtapError('CTAPHID_INIT', p.data[0] ?? 0x7f);
      if (p.cmd !== CTAPHID.INIT) continue;
      if (p.length < 17 || p.data.length < 17) throw deviceError('DEVICE_PROTOCOL', `CTAPHID_INIT answered ${p.length} bytes; the answer is at least 17 (nonce, channel, versions, capabilities)`);
      if (!Buffer.from(p.data.subarray(0, 8)).equals(Buffer.from(nonce))) continue; // an answer to someone else's INIT
      const d = p.data;
      return { cid: new DataView(d.buffer, d.byteOffset + 8, 4).getUint32(0), protocolVersion: d[12]!, deviceVersion: [d[13]!, d[14]!, d[15]!], capabilities: d[16]! };
    }
  }


/** One request and its answer on our channel. */
  async transact(cmd: number, payload: Uint8Array, o: CallOptions = {}): Promise<Uint8Array> {
    const what = name(cmd, payload);
    if (payload.length > MAX_HID_MESSAGE) throw deviceError('DEVICE_PROTOCOL', `${what}: ${payload.length} bytes do not fit one CTAPHID message (at most ${MAX_HID_MESSAGE})`);
    // another client holds the key (CTAP 2.1 §11.2.3: one transaction at a time): ask again with a
    // bounded backoff, as browsers and libfido2 do, and after the deadline say that the key is busy
    const busyFor = o.busyRetryMs ?? BUSY_RETRY_MS;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      this.lastTransaction.keepalives = [];
      this.lastTransaction.foreign = 0;
      this.transport.drain();
      for (const p of framePackets(this.cid, cmd, payload)) await this.transport.send(p);
      try {
        return await this.readAnswer(cmd, what, o);
      } catch (e) {
        if (!(e instanceof CtapError && e.ctapStatus === CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY) || o.signal?.aborted) throw e;
        const waited = Date.now() - started;
        if (waited >= busyFor) throw new CtapError(`${what} (CTAPHID_ERROR)`, CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY, `${this.transport.description} stayed busy with another client's transaction for ${(waited / 1000).toFixed(1)} s (another channel: a browser, another harness, a key manager holding it); close it and try again`);
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500, busyFor - waited)));
      }
    }
  }

  /** Reads until the answer to `cmd` on our channel is complete. */
  async readAnswer(cmd: number, what: string, o: CallOptions = {}): Promise<Uint8Array> {
    const timeoutMs = o.timeoutMs ?? 5000;
    const upLimit = Date.now() + (o.userPresenceTimeoutMs ?? 30_000);
    let deadline = Date.now() + timeoutMs;
    let assembler: MessageAssembler | undefined;
    let cancelled = false;
    const onAbort = () => {
      if (!cancelled) {
        cancelled = true;
        void this.cancel().catch(() => {});
      }
    };
    o.signal?.addEventListener('abort', onAbort);
    if (o.signal?.aborted) onAbort();
    try {
      for (;;) {
        const left = Math.min(deadline, upLimit) - Date.now();
        if (left <= 0) {
          throw deviceError('DEVICE_TIMEOUT', Date.now() >= upLimit
            ? `${what}: the key asked for a touch for ${Math.round((o.userPresenceTimeoutMs ?? 30_000) / 1000)} s and none came (touch the key when it blinks)`
            : `${what}: no answer from ${this.transport.description} within ${timeoutMs} ms${assembler ? ' (the answer stopped half way)' : ''}`);
        }
        const report = await this.transport.receive(left).catch((e: { code?: string }) => {
          if (e.code === 'DEVICE_TIMEOUT') return undefined;
          throw e;
        });
        if (!report) continue;
        if (report.length !== HID_REPORT_SIZE) throw deviceError('DEVICE_PROTOCOL', `${what}: the device sent a report of ${report.length} bytes; CTAPHID reports are ${HID_REPORT_SIZE}`);
        const p = parsePacket(report)!;
        if (p.cid !== this.cid) {
          this.lastTransaction.foreign++;
          continue;
        }
        if (p.kind === 'init') {
          if (p.cmd === CTAPHID.KEEPALIVE) {
            const status = p.data[0] ?? 0;
            this.lastTransaction.keepalives.push(status);
            o.onKeepalive?.(status);
            // a keepalive means the device is alive and working on it (waiting for a touch, or busy)
            deadline = Date.now() + Math.max(timeoutMs, status === KEEPALIVE.UP_NEEDED ? 1000 : 0);
            continue;
          }
          if (p.cmd === CTAPHID.ERROR) throw new CtapError(`${what} (CTAPHID_ERROR)`, p.data[0] ?? 0x7f);
          if (p.cmd !== cmd) throw deviceError('DEVICE_PROTOCOL', `${what}: the device answered with ${CTAPHID_NAMES[p.cmd] ?? `command 0x${p.cmd.toString(16)}`} instead`);
          if (assembler) throw deviceError('DEVICE_PROTOCOL', `${what}: a second initialisation packet arrived before the answer was complete`);
          if (p.length > MAX_HID_MESSAGE) throw deviceError('DEVICE_PROTOCOL', `${what}: the answer claims ${p.length} bytes; CTAPHID carries at most ${MAX_HID_MESSAGE}`);
          assembler = new MessageAssembler(p);
        } else {
          if (!assembler) throw deviceError('DEVICE_PROTOCOL', `${what}: a continuation packet (sequence ${p.seq}) arrived before the initialisation packet`);
          const bad = assembler.add(p);
          if (bad) throw deviceError('DEVICE_PROTOCOL', `${what}: ${bad}`);
        }
        deadline = Date.now() + timeoutMs;
        if (assembler.done) return assembler.message();
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  async ping(data: Uint8Array, o?: CallOptions): Promise<Uint8Array> {
    return this.transact(CTAPHID.PING, data, o);
  }

  async wink(o?: CallOptions): Promise<void> {
    await this.transact(CTAPHID.WINK, new Uint8Array(), o);
  }

  /** CTAPHID_CANCEL: no answer of its own; the pending request ends with CTAP2_ERR_KEEPALIVE_CANCEL. */
  async cancel(): Promise<void> {
    for (const p of framePackets(this.cid, CTAPHID.CANCEL, new Uint8Array())) await this.transport.send(p);
  }

  /** A CTAP2 command: command byte, CBOR parameters; the status byte and the body. */
  async cbor(command: number, params: Uint8Array, o?: CallOptions): Promise<{ status: number; body: Uint8Array }> {
    const r = await this.transact(CTAPHID.CBOR, Uint8Array.from([command, ...params]), o);
    if (r.length === 0) throw deviceError('DEVICE_PROTOCOL', `${CTAP2_NAMES[command] ?? `CTAP2 command 0x${command.toString(16)}`}: the answer is empty (a status byte is required)`);
    return { status: r[0]!, body: r.subarray(1) };
  }

  /** A CTAP1/U2F APDU through CTAPHID_MSG. */
  async msg(apdu: Uint8Array, o?: CallOptions): Promise<Uint8Array> {
    return this.transact(CTAPHID.MSG, apdu, o);
  }

  /** Raw access for the conformance checks: one report out, one in. */
  async sendReport(report: Uint8Array): Promise<void> {
    await this.transport.send(report);
  }

  async receiveReport(timeoutMs: number): Promise<Uint8Array> {
    return this.transport.receive(timeoutMs);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
