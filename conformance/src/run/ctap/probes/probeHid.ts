import crypto from 'node:crypto';
import { BROADCAST_CID, CAPABILITY, CTAPHID, MAX_HID_MESSAGE } from '../../../ctap/constants.ts';
import { framePackets, parsePacket } from '../../../ctap/hid/packets.ts';
import { statusName } from '../../../ctap/status.ts';
import type { HidAnswer, HidProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { statusOf, type CtapSession } from '../CtapSession.ts';
import { allocate, exchangeOn, nonce, readAnswerOn, readInitAnswer, sendReports, strangerChannel } from '../rawHid.ts';

/** How long silence is waited for where silence is the right answer. */
const SILENCE_MS = 300;
/** How long a half-sent message's ERR_MSG_TIMEOUT is waited for, and how long the key may stay stalled by it. */
export const STALL_ANSWER_MS = 3000;
export const STALL_LIMIT_MS = 10_000;
/** A CTAPHID command no version assigns (below the vendor range 0x40-0x7f). */
export const UNASSIGNED_CTAPHID_COMMAND = 0x2a;

/**
 * CTAPHID itself (CTAP 2.1 §11.2; the FIDO HID-1 test group): channel allocation, the errors a
 * malformed message must get (channel 0, the broadcast channel, an unknown command, a bad
 * sequence, an oversized length), another channel while a message is half received, a message
 * left half sent, a channel
 * the key never allocated, resynchronisation, long PINGs, WINK and LOCK. Nothing here touches
 * the key's credentials, and no touch is asked for.
 */
export async function probeHid(s: CtapSession): Promise<HidProbe> {
  const hid = s.device.hid;
  if (!hid) return { skipped: `${s.device.description} is not a CTAPHID device`, notApplicable: true };
  const out: HidProbe = {};
  const ours = hid.cid;
  // three channels from the broadcast channel, each new (HID-1 P-3, P-4)
  out.init = [];
  for (let i = 0; i < 3; i++) {
    const { init } = await allocate(hid);
    out.init.push(init ?? { nonceEchoed: false, cid: 0, protocolVersion: 0, capabilities: 0, length: 0 });
  }
  const other = out.init.find((x) => x.cid && x.cid !== ours && x.cid !== BROADCAST_CID)?.cid;
  // a continuation packet nobody announced: ignored (HID-1 P-2)
  hid.transport.drain();
  const cont = new Uint8Array(64);
  new DataView(cont.buffer).setUint32(0, ours);
  cont.set(crypto.randomBytes(59), 5);
  await hid.sendReport(cont);
  out.unsolicitedContinuation = await readAnswerOn(hid, ours, s.o.quietMs ?? SILENCE_MS);
  // reserved channels and unknown commands (HID-1 F-1, F-2, F-3)
  out.cidZero = await exchangeOn(hid, 0, CTAPHID.INIT, nonce());
  out.broadcastPing = await exchangeOn(hid, BROADCAST_CID, CTAPHID.PING, Uint8Array.of(1, 2, 3));
  out.unknownCommand = await exchangeOn(hid, ours, UNASSIGNED_CTAPHID_COMMAND, new Uint8Array());
  // continuation packets out of sequence (HID-1 F-4)
  const frames = framePackets(ours, CTAPHID.PING, new Uint8Array(crypto.randomBytes(200)));
  hid.transport.drain();
  await sendReports(hid, [frames[0]!, frames[2]!, frames[1]!, frames[3]!]);
  out.badSequence = await readAnswerOn(hid, ours, 1000);
  // a length no CTAPHID message can have
  const big = new Uint8Array(64);
  new DataView(big.buffer).setUint32(0, ours);
  big[4] = 0x80 | CTAPHID.PING;
  big[5] = (MAX_HID_MESSAGE + 1) >> 8;
  big[6] = (MAX_HID_MESSAGE + 1) & 0xff;
  hid.transport.drain();
  await hid.sendReport(big);
  out.oversized = await readAnswerOn(hid, ours, 1000);
  // another channel while ours is half received: it is busy; ours then completes (§11.2.3)
  if (other) {
    const payload = new Uint8Array(crypto.randomBytes(200));
    const ping = framePackets(ours, CTAPHID.PING, payload);
    hid.transport.drain();
    await hid.sendReport(ping[0]!);
    await sendReports(hid, framePackets(other, CTAPHID.PING, Uint8Array.of(9, 9, 9)));
    const otherAnswer = await readAnswerOn(hid, other, 1000);
    // a continuation packet on the other channel in between: not ours, so not part of our message
    const stray = new Uint8Array(64);
    new DataView(stray.buffer).setUint32(0, other);
    stray.set(crypto.randomBytes(59), 5);
    await hid.sendReport(stray);
    await sendReports(hid, ping.slice(1));
    const oursAnswer = await readAnswerOn(hid, ours, 1000);
    out.busy = { other: otherAnswer, oursEchoed: oursAnswer.kind === 'message' && Buffer.from(oursAnswer.data, 'base64url').equals(payload) };
  }
  // a channel nobody allocated (a warning at most: no MUST refuses it)
  const stranger = strangerChannel(ours, ...out.init.map((x) => x.cid));
  hid.transport.drain();
  await hid.sendReport(framePackets(stranger, CTAPHID.PING, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))[0]!);
  out.wrongChannel = { answer: 'silent' };
  const deadline = Date.now() + Math.max(s.o.quietMs ?? SILENCE_MS, 300) * 3;
  while (Date.now() < deadline) {
    const report = await hid.receiveReport(deadline - Date.now()).catch(() => undefined);
    if (!report) break;
    const p = parsePacket(report);
    if (!p || p.cid !== stranger || p.kind !== 'init') continue;
    out.wrongChannel = p.cmd === CTAPHID.ERROR ? { answer: 'error', code: statusName(p.data[0] ?? 0x7f) } : { answer: 'answered' };
    break;
  }
  // a message left half sent (§11.2.4): the key backs out of it (ERR_MSG_TIMEOUT) and is free again
  if (other) {
    hid.transport.drain();
    await hid.sendReport(framePackets(ours, CTAPHID.PING, new Uint8Array(200))[0]!);
    const started = Date.now();
    const answer = await readAnswerOn(hid, ours, STALL_ANSWER_MS);
    const answeredAfterMs = answer.kind === 'silent' ? undefined : Date.now() - started;
    let otherLast: HidAnswer = { kind: 'silent' };
    let freedAfterMs: number | undefined;
    while (Date.now() - started < STALL_LIMIT_MS) {
      otherLast = await exchangeOn(hid, other, CTAPHID.PING, Uint8Array.of(5, 5));
      if (otherLast.kind === 'message') {
        freedAfterMs = Date.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    out.stalled = { answer, answeredAfterMs, freedAfterMs, otherLast, limitMs: STALL_LIMIT_MS };
    // a key still holding the message is set free by INIT on our channel, so what follows is judged
    // on its own; a key that never answered may still do so late: a quiet moment lets it
    await hid.resync().catch(() => {});
    if (answer.kind === 'silent') await new Promise((r) => setTimeout(r, s.o.quietMs ?? SILENCE_MS));
    hid.transport.drain();
  }
  // INIT in the middle of a message on our channel (HID-1 P-7)
  await hid.sendReport(framePackets(ours, CTAPHID.PING, new Uint8Array(200))[0]!);
  try {
    await hid.resync();
    out.resync = { answered: true, sameChannel: true, nonceEchoed: true, pingAfter: false };
  } catch (e) {
    const m = statusOf(e);
    out.resync = { answered: !m.startsWith('DEVICE_TIMEOUT'), sameChannel: !/keeps the channel/.test(m), nonceEchoed: !m.startsWith('DEVICE_TIMEOUT'), pingAfter: false };
  }
  const data = new Uint8Array(crypto.randomBytes(8));
  out.resync.pingAfter = await hid.ping(data).then((r) => Buffer.from(r).equals(Buffer.from(data)), () => false);
  // long PINGs: continuation packets in sequence, both ways (HID-1 P-6, P-8)
  const long = new Uint8Array(crypto.randomBytes(1024));
  out.longPing = { length: long.length, echoed: await hid.ping(long).then((r) => Buffer.from(r).equals(Buffer.from(long)), () => false) };
  long[0] = 0;
  out.leadingZeroPing = await hid.ping(long).then((r) => Buffer.from(r).equals(Buffer.from(long)), () => false);
  // WINK when advertised (HID-1 P-12)
  const advertised = (hid.info.capabilities & CAPABILITY.WINK) !== 0;
  out.wink = { advertised, ...(advertised ? { answer: await exchangeOn(hid, ours, CTAPHID.WINK, new Uint8Array()) } : {}) };
  // LOCK, optional (HID-1 P-13, P-14): while held, another channel is busy; released, it is not
  const lock = await exchangeOn(hid, ours, CTAPHID.LOCK, Uint8Array.of(2));
  out.lock = { answer: lock };
  if (lock.kind === 'message') {
    const n1 = nonce();
    out.lock.otherWhileLocked = await exchangeOn(hid, BROADCAST_CID, CTAPHID.INIT, n1);
    out.lock.unlock = await exchangeOn(hid, ours, CTAPHID.LOCK, Uint8Array.of(0));
    const n2 = nonce();
    out.lock.otherAfterUnlock = readInitAnswer(await exchangeOn(hid, BROADCAST_CID, CTAPHID.INIT, n2), n2)?.nonceEchoed === true;
  }
  return out;
}
