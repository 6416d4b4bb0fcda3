import crypto from 'node:crypto';
import { BROADCAST_CID, CTAPHID } from '../../../ctap/constants.ts';
import { framePackets, parsePacket } from '../../../ctap/hid/packets.ts';
import { statusName } from '../../../ctap/status.ts';
import type { HidProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { statusOf, type CtapSession } from '../CtapSession.ts';

/**
 * CTAPHID itself (CTAP 2.1 §11.2): a channel the key never allocated must be refused with
 * ERR_INVALID_CHANNEL, an INIT on our channel in the middle of a message must resynchronise it
 * (same channel, our nonce), and a long PING must come back byte for byte.
 */
export async function probeHid(s: CtapSession): Promise<HidProbe> {
  const hid = s.device.hid;
  if (!hid) return { skipped: `${s.device.description} is not a CTAPHID device`, notApplicable: true };
  const out: HidProbe = {};
  // a channel nobody allocated
  let stranger: number;
  do stranger = crypto.randomBytes(4).readUInt32BE(0);
  while (stranger === hid.cid || stranger === 0 || stranger === BROADCAST_CID);
  hid.transport.drain();
  await hid.sendReport(framePackets(stranger, CTAPHID.PING, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))[0]!);
  out.wrongChannel = { answer: 'silent' };
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    const report = await hid.receiveReport(deadline - Date.now()).catch(() => undefined);
    if (!report) break;
    const p = parsePacket(report);
    if (!p || p.cid !== stranger || p.kind !== 'init') continue;
    out.wrongChannel = p.cmd === CTAPHID.ERROR ? { answer: 'error', code: statusName(p.data[0] ?? 0x7f) } : { answer: 'answered' };
    break;
  }
  // INIT in the middle of a message on our channel
  const half = framePackets(hid.cid, CTAPHID.PING, new Uint8Array(200))[0]!;
  await hid.sendReport(half);
  try {
    await hid.resync();
    out.resync = { answered: true, sameChannel: true, nonceEchoed: true, pingAfter: false };
  } catch (e) {
    const m = statusOf(e);
    out.resync = { answered: !m.startsWith('DEVICE_TIMEOUT'), sameChannel: !/keeps the channel/.test(m), nonceEchoed: !m.startsWith('DEVICE_TIMEOUT'), pingAfter: false };
  }
  const data = new Uint8Array(crypto.randomBytes(8));
  out.resync.pingAfter = await hid.ping(data).then((r) => Buffer.from(r).equals(Buffer.from(data)), () => false);
  // a long PING: continuation packets in sequence, both ways
  const long = new Uint8Array(crypto.randomBytes(1024));
  out.longPing = { length: long.length, echoed: await hid.ping(long).then((r) => Buffer.from(r).equals(Buffer.from(long)), () => false) };
  return out;
}
