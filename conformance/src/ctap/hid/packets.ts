import { CONT_DATA, HID_REPORT_SIZE, INIT_DATA, MAX_HID_MESSAGE } from '../constants.ts';

/**
 * CTAPHID packets (CTAP 2.1 §11.2.4): an initialisation packet
 *   CID (4) | CMD | 0x80 (1) | BCNTH | BCNTL | DATA (57)
 * then continuation packets
 *   CID (4) | SEQ 0..127 (1) | DATA (59)
 * each padded with zeros to the 64-byte report.
 */
export type Packet =
  | { kind: 'init'; cid: number; cmd: number; length: number; data: Uint8Array }
  | { kind: 'cont'; cid: number; seq: number; data: Uint8Array };

/** A message split into reports. */
export function framePackets(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
  if (payload.length > MAX_HID_MESSAGE) throw new RangeError(`a CTAPHID message carries at most ${MAX_HID_MESSAGE} bytes, not ${payload.length}`);
  const out: Uint8Array[] = [];
  const first = new Uint8Array(HID_REPORT_SIZE);
  new DataView(first.buffer).setUint32(0, cid >>> 0);
  first[4] = 0x80 | (cmd & 0x7f);
  first[5] = payload.length >> 8;
  first[6] = payload.length & 0xff;
  first.set(payload.subarray(0, INIT_DATA), 7);
  out.push(first);
  for (let off = INIT_DATA, seq = 0; off < payload.length; off += CONT_DATA, seq++) {
    const p = new Uint8Array(HID_REPORT_SIZE);
    new DataView(p.buffer).setUint32(0, cid >>> 0);
    p[4] = seq;
    p.set(payload.subarray(off, off + CONT_DATA), 5);
    out.push(p);
  }
  return out;
}

/** One report read as a packet; undefined when it is too short to be one (the caller names it). */
export function parsePacket(report: Uint8Array): Packet | undefined {
  if (report.length < 5) return undefined;
  const cid = new DataView(report.buffer, report.byteOffset, report.length).getUint32(0);
  const b = report[4]!;
  if (b & 0x80) {
    if (report.length < 7) return undefined;
    return { kind: 'init', cid, cmd: b & 0x7f, length: (report[5]! << 8) | report[6]!, data: report.subarray(7) };
  }
  return { kind: 'cont', cid, seq: b, data: report.subarray(5) };
}

/** Reassembles one message from its packets; tells what is wrong with a packet that does not fit. */
export class MessageAssembler {
  readonly cid: number;
  readonly cmd: number;
  readonly length: number;
  private readonly buf: Uint8Array;
  private filled: number;
  private nextSeq = 0;

  constructor(init: Extract<Packet, { kind: 'init' }>) {
    this.cid = init.cid;
    this.cmd = init.cmd;
    this.length = init.length;
    this.buf = new Uint8Array(init.length);
    const n = Math.min(init.length, init.data.length);
    this.buf.set(init.data.subarray(0, n));
    this.filled = n;
  }

  /** the sequence number the next continuation packet must carry */
  get expectedSeq(): number {
    return this.nextSeq;
  }

  get done(): boolean {
    return this.filled >= this.length;
  }

  /** a continuation packet; returns an error text when it is out of sequence */
  add(p: Extract<Packet, { kind: 'cont' }>): string | undefined {
    if (p.seq !== this.nextSeq) return `continuation packet with sequence ${p.seq} where ${this.nextSeq} was due`;
    this.nextSeq++;
    const n = Math.min(this.length - this.filled, p.data.length);
    this.buf.set(p.data.subarray(0, n), this.filled);
    this.filled += n;
    return undefined;
  }

  message(): Uint8Array {
    return this.buf;
  }
}
