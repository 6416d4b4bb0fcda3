import crypto from 'node:crypto';
import { BROADCAST_CID, CAPABILITY, CTAPHID, HID_REPORT_SIZE, KEEPALIVE, MAX_HID_MESSAGE } from '../constants.ts';
import { CTAP_STATUS } from '../status.ts';
import { MessageAssembler, framePackets, parsePacket } from './packets.ts';
import type { ReportSink } from '../transport/InProcessTransport.ts';
import { PresenceCancelled, type AuthenticatorCore, type RequestContext } from '../connection/AuthenticatorCore.ts';
import { isSimulatorReboot } from './simulatorReboot.ts';

/**
 * The defects this layer can be told to have, each next to the rule it breaks (the CTAP checks'
 * fault matrix proves each one is caught).
 */
export const HID_FAULTS = {
  /** CTAP 2.1 §11.2.9.1.5: a CANCEL must end the pending request at once */
  cancelIgnored: 'CTAPHID_CANCEL ignored while waiting for a touch',
  /** CTAP 2.1 §11.2.9.1.7: KEEPALIVE while the request waits (for a touch, or is processing) */
  noKeepalive: 'no KEEPALIVE while waiting for a touch',
  /** CTAP 2.1 §11.2.4: only allocated channels carry traffic (not a MUST to refuse: a warning) */
  acceptWrongChannel: 'a report on a channel never allocated accepted',
  /** CTAP 2.1 §11.2.9.1.3: INIT on the broadcast channel hands out a new channel each time */
  hidInitReusesChannel: 'CTAPHID_INIT on the broadcast channel hands out the channel it handed out last',
  /** CTAP 2.1 §11.2.4: continuation packets in sequence, ERR_INVALID_SEQ otherwise */
  hidSequenceNotChecked: 'continuation packets taken in any order (no ERR_INVALID_SEQ)',
  /** CTAP 2.1 §11.2.3: one transaction at a time; another channel gets ERR_CHANNEL_BUSY */
  channelBusyIgnored: "another channel's message, arriving while one is half received, replaces it (no ERR_CHANNEL_BUSY)",
  /** CTAP 2.1 §11.2.9.2.1: a device advertising CAPABILITY_WINK implements CTAPHID_WINK */
  winkIgnored: 'CAPABILITY_WINK advertised, CTAPHID_WINK answered ERR_INVALID_CMD',
  /** CTAP 2.1 §11.2.4: a transaction left unfinished is backed out of (ERR_MSG_TIMEOUT) */
  hidMessageNeverTimesOut: 'a message whose continuation never comes holds the key: other channels stay busy',
} as const;
export type HidFaultName = keyof typeof HID_FAULTS;

export interface HidServerOptions {
  /** how the person touches the key: resolves when they do (default: at once); `long` for a long touch */
  presence?: (signal: AbortSignal, o?: { long?: boolean }) => Promise<void>;
  /** how long the device waits for the next continuation packet (CTAPHID_ERROR TIMEOUT after) */
  messageTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** major, minor, build reported by INIT */
  deviceVersion?: [number, number, number];
  /** defects on purpose: the CTAP-level fault matrix */
  faults?: Partial<Record<HidFaultName, boolean>>;
  /** false: a CTAP1/U2F-only device (no CBOR capability, CTAPHID_CBOR refused) */
  cbor?: boolean;
}

type Reply = (report: Uint8Array) => void;

interface Receiving {
  cid: number;
  asm: MessageAssembler;
  timer?: NodeJS.Timeout;
  reply: Reply;
}

interface Busy {
  cid: number;
  abort: AbortController;
}

/**
 * The device side of CTAPHID (CTAP 2.1 §11.2) for any authenticator core: channel allocation
 * and resynchronisation with INIT, one transaction at a time (others get CHANNEL_BUSY),
 * reassembly with sequence checks and a message timeout, KEEPALIVE while waiting for a touch,
 * CANCEL, PING, WINK, and ERROR packets for everything malformed. The software authenticator,
 * in this process or behind UDP, is a device because of this, not a shortcut around one.
 */
export class CtapHidServer implements ReportSink {
  private readonly core: AuthenticatorCore;
  private readonly o: HidServerOptions;
  private readonly channels = new Set<number>();
  private receiving?: Receiving;
  private busy?: Busy;
  private lastAllocated?: number;
  /** CTAPHID_LOCK (§11.2.9.2.2): the channel holding the lock, and until when */
  private lock?: { cid: number; until: number };

  constructor(core: AuthenticatorCore, o: HidServerOptions = {}) {
    this.core = core;
    this.o = o;
  }

  /**
   * The power went off and came back: every channel, the message being received and the request
   * being served are gone (their answers are never sent), and the core loses its volatile state.
   */
  powerCycle(): void {
    this.stopReceiving();
    this.lock = undefined;
    if (this.busy) this.busy.abort.abort('resync');
    this.busy = undefined;
    this.channels.clear();
    this.core.powerCycle?.();
  }

  onReport(raw: Uint8Array, reply: Reply): void {
    if (raw.length < 5) return; // not even a channel and a command: nothing to answer to
    // a simulator's restart datagram (fido2-tests --sim): power-cycled, nothing answered
    if (isSimulatorReboot(raw)) return this.powerCycle();
    const report = raw.length === HID_REPORT_SIZE ? raw : Uint8Array.from({ length: HID_REPORT_SIZE }, (_, i) => raw[i] ?? 0);
    const p = parsePacket(report)!;
    const { cid } = p;
    const error = (code: number, to = cid) => this.send(reply, to, CTAPHID.ERROR, Uint8Array.of(code));
    if (cid === 0) return error(CTAP_STATUS.CTAP1_ERR_INVALID_CHANNEL);
    if (p.kind === 'cont') {
      const r = this.receiving;
      if (!r || r.cid !== cid) return; // a continuation nobody announced: ignored
      const bad = this.o.faults?.hidSequenceNotChecked ? r.asm.add({ ...p, seq: r.asm.expectedSeq }) : r.asm.add(p);
      if (bad) {
        this.stopReceiving();
        return error(CTAP_STATUS.CTAP1_ERR_INVALID_SEQ);
      }
      r.timer?.refresh();
      if (r.asm.done) {
        this.stopReceiving();
        this.dispatch(cid, r.asm.cmd, r.asm.message(), r.reply);
      }
      return;
    }
    // a channel holding CTAPHID_LOCK: every other channel is busy until it ends (§11.2.9.2.2)
    if (this.lock && Date.now() >= this.lock.until) this.lock = undefined;
    if (this.lock && this.lock.cid !== cid) return error(CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY);
    if (p.cmd === CTAPHID.INIT) {
      if (p.length !== 8) return error(CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH);
      const nonce = p.data.subarray(0, 8);
      if (cid === BROADCAST_CID) {
        const fresh = this.allocate();
        return this.send(reply, BROADCAST_CID, CTAPHID.INIT, this.initAnswer(nonce, fresh));
      }
      if (!this.channels.has(cid) && !this.o.faults?.acceptWrongChannel) return error(CTAP_STATUS.CTAP1_ERR_INVALID_CHANNEL);
      // resynchronise: whatever this channel was doing is abandoned
      if (this.receiving?.cid === cid) this.stopReceiving();
      if (this.busy?.cid === cid) this.busy.abort.abort('resync');
      return this.send(reply, cid, CTAPHID.INIT, this.initAnswer(nonce, cid));
    }
    if (cid === BROADCAST_CID) return error(CTAP_STATUS.CTAP1_ERR_INVALID_CHANNEL);
    if (!this.channels.has(cid) && !this.o.faults?.acceptWrongChannel) return error(CTAP_STATUS.CTAP1_ERR_INVALID_CHANNEL);
    if (p.cmd === CTAPHID.CANCEL) {
      if (this.o.faults?.cancelIgnored) return;
      if (this.busy?.cid === cid) this.busy.abort.abort('cancel');
      if (this.receiving?.cid === cid) this.stopReceiving();
      return;
    }
    if (this.receiving) {
      if (this.receiving.cid !== cid && !this.o.faults?.channelBusyIgnored) return error(CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY);
      const sameChannel = this.receiving.cid === cid;
      this.stopReceiving();
      // a new initialisation packet while the last message was not complete
      if (sameChannel) return error(CTAP_STATUS.CTAP1_ERR_INVALID_SEQ);
    }
    if (this.busy) return error(CTAP_STATUS.CTAP1_ERR_CHANNEL_BUSY);
    if (p.length > MAX_HID_MESSAGE) return error(CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH);
    const asm = new MessageAssembler(p);
    if (asm.done) return this.dispatch(cid, p.cmd, asm.message(), reply);
    const timer = this.o.faults?.hidMessageNeverTimesOut
      ? undefined
      : setTimeout(() => {
          if (this.receiving?.asm === asm) {
            this.stopReceiving();
            error(CTAP_STATUS.CTAP1_ERR_TIMEOUT);
          }
        }, this.o.messageTimeoutMs ?? 500);
    timer?.unref();
    this.receiving = { cid, asm, timer, reply };
  }

  private stopReceiving() {
    if (this.receiving) clearTimeout(this.receiving.timer);
    this.receiving = undefined;
  }

  private allocate(): number {
    if (this.o.faults?.hidInitReusesChannel && this.lastAllocated !== undefined) {
      this.channels.add(this.lastAllocated);
      return this.lastAllocated;
    }
    for (;;) {
      const c = crypto.randomBytes(4).readUInt32BE(0);
      if (c !== 0 && c !== BROADCAST_CID && !this.channels.has(c)) {
        this.channels.add(c);
        if (this.channels.size > 256) this.channels.delete(this.channels.values().next().value as number);
        this.lastAllocated = c;
        return c;
      }
    }
  }

  private initAnswer(nonce: Uint8Array, cid: number): Uint8Array {
    const out = new Uint8Array(17);
    out.set(nonce, 0);
    new DataView(out.buffer).setUint32(8, cid);
    out[12] = 2; // CTAPHID protocol version
    const [maj, min, build] = this.o.deviceVersion ?? [1, 0, 0];
    out[13] = maj;
    out[14] = min;
    out[15] = build;
    out[16] = CAPABILITY.WINK | (this.o.cbor === false ? 0 : CAPABILITY.CBOR) | (this.core.msg ? 0 : CAPABILITY.NMSG);
    return out;
  }

  private send(reply: Reply, cid: number, cmd: number, payload: Uint8Array) {
    for (const p of framePackets(cid, cmd, payload)) reply(p);
  }

  private dispatch(cid: number, cmd: number, msg: Uint8Array, reply: Reply) {
    const error = (code: number) => this.send(reply, cid, CTAPHID.ERROR, Uint8Array.of(code));
    switch (cmd) {
      case CTAPHID.PING:
        return this.send(reply, cid, CTAPHID.PING, msg);
      case CTAPHID.WINK:
        if (this.o.faults?.winkIgnored) return error(CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND);
        this.core.wink?.();
        return this.send(reply, cid, CTAPHID.WINK, new Uint8Array());
      case CTAPHID.LOCK: {
        // one byte: seconds to hold the lock (at most 10), 0 releases it (§11.2.9.2.2)
        if (msg.length !== 1 || msg[0]! > 10) return error(CTAP_STATUS.CTAP1_ERR_INVALID_PARAMETER);
        this.lock = msg[0] ? { cid, until: Date.now() + msg[0]! * 1000 } : undefined;
        return this.send(reply, cid, CTAPHID.LOCK, new Uint8Array());
      }
      case CTAPHID.CBOR:
        if (this.o.cbor === false) return error(CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND);
        if (msg.length === 0) return error(CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH);
        return this.run(cid, cmd, reply, (ctx) => this.core.cbor(msg, ctx));
      case CTAPHID.MSG: {
        const m = this.core.msg;
        if (!m) return error(CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND);
        if (msg.length === 0) return error(CTAP_STATUS.CTAP1_ERR_INVALID_LENGTH);
        return this.run(cid, cmd, reply, (ctx) => m.call(this.core, msg, ctx));
      }
      default:
        return error(CTAP_STATUS.CTAP1_ERR_INVALID_COMMAND);
    }
  }

  private run(cid: number, cmd: number, reply: Reply, handler: (ctx: RequestContext) => Promise<Uint8Array>) {
    const abort = new AbortController();
    const busy: Busy = { cid, abort };
    this.busy = busy;
    let waitingUp = false;
    const keepalive = (status: number) => {
      if (!this.o.faults?.noKeepalive && !abort.signal.aborted) this.send(reply, cid, CTAPHID.KEEPALIVE, Uint8Array.of(status));
    };
    const ticker = setInterval(() => keepalive(waitingUp ? KEEPALIVE.UP_NEEDED : KEEPALIVE.PROCESSING), this.o.keepaliveIntervalMs ?? 100);
    ticker.unref();
    const ctx: RequestContext = {
      signal: abort.signal,
      transport: 'usb',
      userPresence: async (po) => {
        if (abort.signal.aborted) throw new PresenceCancelled('cancelled');
        waitingUp = true;
        keepalive(KEEPALIVE.UP_NEEDED);
        try {
          const presence = this.o.presence ?? (async () => {});
          await new Promise<void>((resolve, reject) => {
            const onAbort = () => reject(new PresenceCancelled('cancelled'));
            abort.signal.addEventListener('abort', onAbort, { once: true });
            presence(abort.signal, po).then(() => {
              abort.signal.removeEventListener('abort', onAbort);
              if (abort.signal.aborted) reject(new PresenceCancelled('cancelled'));
              else resolve();
            }, reject);
          });
        } finally {
          waitingUp = false;
        }
      },
    };
    void handler(ctx)
      .catch((e) => {
        if (e instanceof PresenceCancelled) return Uint8Array.of(CTAP_STATUS.CTAP2_ERR_KEEPALIVE_CANCEL);
        // a bug in the core must not wedge the device: answer CTAP1_ERR_OTHER and keep serving
        return Uint8Array.of(CTAP_STATUS.CTAP1_ERR_OTHER);
      })
      .then((answer) => {
        clearInterval(ticker);
        if (this.busy === busy) this.busy = undefined;
        // a resync (INIT) abandons the request: its answer is not sent; a CANCEL is answered
        if (abort.signal.aborted && abort.signal.reason === 'resync') return;
        this.send(reply, cid, cmd, answer);
      });
  }
}
