import crypto from 'node:crypto';
import type { CtapHidClient } from '../../ctap/hid/CtapHidClient.ts';
import { BROADCAST_CID, CTAPHID } from '../../ctap/constants.ts';
import { MessageAssembler, framePackets, parsePacket } from '../../ctap/hid/packets.ts';
import { statusName } from '../../ctap/status.ts';
import type { HidAnswer } from '../../checks/ctap/CtapEvidence.ts';

/**
 * CTAPHID by hand, for the probes that must send what a well-behaved host never sends (a channel
 * of 0, a continuation out of sequence, a message on a second channel while the first is half
 * way): reports written as they are, the answer on one channel read and named. KEEPALIVE packets
 * and other channels' traffic are passed over.
 */
export async function readAnswerOn(hid: CtapHidClient, cid: number, timeoutMs: number): Promise<HidAnswer> {
  const deadline = Date.now() + timeoutMs;
  let asm: MessageAssembler | undefined;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return asm ? { kind: 'garbled', why: 'the answer stopped half way' } : { kind: 'silent' };
    const report = await hid.receiveReport(left).catch(() => undefined);
    if (!report) continue;
    const p = parsePacket(report);
    if (!p || p.cid !== cid) continue;
    if (p.kind === 'init') {
      if (p.cmd === CTAPHID.KEEPALIVE) continue;
      if (p.cmd === CTAPHID.ERROR) return { kind: 'error', code: statusName(p.data[0] ?? 0x7f) };
      asm = new MessageAssembler(p);
    } else if (asm) {
      const bad = asm.add(p);
      if (bad) return { kind: 'garbled', why: bad };
    } else continue;
    if (asm.done) return { kind: 'message', cmd: asm.cmd, length: asm.length, data: Buffer.from(asm.message()).toString('base64url') };
  }
}

export async function sendReports(hid: CtapHidClient, reports: Uint8Array[]): Promise<void> {
  for (const r of reports) await hid.sendReport(r);
}

/** One message out on `cid`, its answer in. */
export async function exchangeOn(hid: CtapHidClient, cid: number, cmd: number, data: Uint8Array, timeoutMs = 1000): Promise<HidAnswer> {
  hid.transport.drain();
  await sendReports(hid, framePackets(cid, cmd, data));
  return readAnswerOn(hid, cid, timeoutMs);
}

/** A fresh nonce for an INIT. */
export const nonce = () => new Uint8Array(crypto.randomBytes(8));

/** The INIT answer decoded (CTAP 2.1 §11.2.9.1.3): our nonce back, the channel, versions, capabilities. */
export interface InitAnswer {
  nonceEchoed: boolean;
  cid: number;
  protocolVersion: number;
  capabilities: number;
  length: number;
}

export function readInitAnswer(a: HidAnswer, sent: Uint8Array): InitAnswer | undefined {
  if (a.kind !== 'message' || a.cmd !== CTAPHID.INIT) return undefined;
  const d = Buffer.from(a.data, 'base64url');
  if (d.length < 17) return { nonceEchoed: false, cid: 0, protocolVersion: 0, capabilities: 0, length: d.length };
  return { nonceEchoed: d.subarray(0, 8).equals(Buffer.from(sent)), cid: d.readUInt32BE(8), protocolVersion: d[12]!, capabilities: d[16]!, length: d.length };
}

/** A new channel by INIT on the broadcast channel (undefined when the key did not hand one out). */
export async function allocate(hid: CtapHidClient): Promise<{ answer: HidAnswer; init?: InitAnswer }> {
  const n = nonce();
  const answer = await exchangeOn(hid, BROADCAST_CID, CTAPHID.INIT, n);
  return { answer, init: readInitAnswer(answer, n) };
}

/** A 32-bit channel the key has not handed out to us (nor 0, nor broadcast). */
export function strangerChannel(...taken: number[]): number {
  for (;;) {
    const c = crypto.randomBytes(4).readUInt32BE(0);
    if (c !== 0 && c !== BROADCAST_CID && !taken.includes(c)) return c;
  }
}
