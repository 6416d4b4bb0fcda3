import crypto from 'node:crypto';
import type { ApduAnswer, NfcProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { NfcConnection, exchangeOnce, selectFidoApplet } from '../../../ctap/iso7816/NfcConnection.ts';
import { INS, SW, encodeCommand } from '../../../ctap/iso7816/apdu.ts';
import { cardCapabilities } from '../../../ctap/iso7816/atr.ts';
import { encodeCbor } from '../../../cbor/encodeCbor.ts';
import { decodeCbor } from '../../../cbor/decodeCbor.ts';
import { statusName } from '../../../ctap/status.ts';
import type { CtapSession } from '../CtapSession.ts';

const OTHER_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x02);
const GET_INFO = 0x04;

/**
 * The NFC transport of a key connected over NFC (CTAP 2.3 §11.3, ISO 7816-4 §5): the SELECT
 * answer and its version string, SELECT of an AID that is not FIDO's, getInfo cut by a short Le
 * and by Le 00 and put together through 61xx / GET RESPONSE, a command longer than one short APDU
 * sent as a chain, getInfo as one extended APDU (against what the ATR claims), and getInfo's
 * transports. Nothing is created or changed on the key; the applet is selected again at the end.
 */
export async function probeNfc(s: CtapSession): Promise<NfcProbe> {
  const c = s.device.connection;
  if (!(c instanceof NfcConnection)) return { skipped: `${s.device.description} is not connected over NFC`, notApplicable: true };
  const t = c.transport;
  const once = (apdu: Uint8Array, what: string) => exchangeOnce(t, apdu, what);
  const answer = (r: { data: Uint8Array; sw: number }, keep = false): ApduAnswer => ({ sw: r.sw, length: r.data.length, ...(keep ? { data: Buffer.from(r.data).toString('base64url') } : {}) });
  const select = () => selectFidoApplet(t);
  const out: NfcProbe = { transports: s.info.transports, versions: s.info.versions };
  out.atrClaims = cardCapabilities(t.atr);

  const sel = await select();
  out.select = { ...answer(sel, true), version: Buffer.from(sel.data).toString('latin1') };
  out.selectOther = answer(await once(encodeCommand({ cla: 0, ins: INS.SELECT, p1: 4, p2: 0, data: OTHER_AID, ne: 256 }), 'SELECT of another AID'));
  await select();

  // a getInfo put together from parts must decode to the key's getInfo (same AAGUID and versions:
  // other members such as encIdentifier change from one answer to the next)
  const sameInfo = (body: Buffer) => {
    try {
      const m = decodeCbor(body, 'getInfo in parts').value as Map<number, unknown>;
      return Buffer.from(m.get(3) as Uint8Array).equals(Buffer.from(s.info.aaguid)) && JSON.stringify(m.get(1)) === JSON.stringify(s.info.versions);
    } catch {
      return false;
    }
  };
  // getInfo in parts: Le as asked, then GET RESPONSE with Le = what 61xx announced, capped at `le`
  const inParts = async (le: number) => {
    const parts: number[] = [];
    const chunks: Uint8Array[] = [];
    let r = await once(encodeCommand({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: Uint8Array.of(GET_INFO), ne: le }), `getInfo with Le ${le}`);
    for (let rounds = 0; ; rounds++) {
      parts.push(r.data.length);
      chunks.push(r.data);
      if (r.sw >> 8 !== 0x61 || rounds > 4096) break;
      r = await once(encodeCommand({ cla: 0, ins: INS.GET_RESPONSE, p1: 0, p2: 0, ne: Math.min(le, (r.sw & 0xff) || 256) }), 'GET RESPONSE');
    }
    const whole = Buffer.concat(chunks);
    return { parts, finalSw: r.sw, sameAsGetInfo: r.sw === SW.OK && whole[0] === 0 && sameInfo(whole.subarray(1)) };
  };
  out.shortLe = { ...(await inParts(16)), le: 16 };
  out.neZero = await inParts(256);

  // a command longer than a short APDU: getAssertion for an RP with no credential, its allowList
  // made long with random IDs (answered CTAP2_ERR_NO_CREDENTIALS; nothing is created)
  const allowList = Array.from({ length: 6 }, () => ({ type: 'public-key', id: new Uint8Array(crypto.randomBytes(64)) }));
  const request = Uint8Array.from([0x02, ...encodeCbor(new Map<number, unknown>([[1, 'nfc-chaining.fido2-harness.test'], [2, new Uint8Array(32)], [3, allowList], [5, { up: false }]]) as never)]);
  // the connection chains it: 9000 for each part, then the answer (or the first part's refusal)
  const r = await c.exchange({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: request }, 'chained NFCCTAP_MSG', { form: 'short' }).catch(() => undefined);
  out.chained = { bytes: request.length, parts: Math.ceil(request.length / 255), finalSw: r?.sw ?? 0, ...(r?.sw === SW.OK && r.data.length ? { ctapStatus: statusName(r.data[0]!) } : {}) };
  await select();

  out.extended = answer(await once(encodeCommand({ cla: 0x80, ins: INS.NFCCTAP_MSG, p1: 0, p2: 0, data: Uint8Array.of(GET_INFO), ne: 65536, extended: true }), 'getInfo as an extended APDU'));
  await select();
  return out;
}
