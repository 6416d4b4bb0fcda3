import crypto from 'node:crypto';
import { RawCbor, encodeCanonical, type CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { CTAP2, KEEPALIVE, PERMISSION } from '../../../ctap/constants.ts';
import { statusName } from '../../../ctap/status.ts';
import { pinUvAuthParam, type PinUvAuthToken } from '../../../ctap/ctap2/clientPin.ts';
import { decodeCbor } from '../../../cbor/decodeCbor.ts';
import { parseAuthenticatorData } from '../../../webauthn/parseAuthenticatorData.ts';
import { GET_ASSERTION_CASES, MAKE_CREDENTIAL_CASES, type GetAssertionCaseId, type MakeCredentialCaseId } from '../../../checks/ctap/requestCases.ts';
import type { RequestsProbe, RequestRecord } from '../../../checks/ctap/CtapEvidence.ts';
import { HARNESS_USER_PREFIX, PROBE_RP_ID, statusOf, type CtapSession } from '../CtapSession.ts';

type Params = Map<number, CanonicalValue>;
const cdh = () => new Uint8Array(crypto.randomBytes(32));
/** a pubKeyCredParams element of the algorithm the probes create credentials with: the key's own (CtapSession.probeAlgorithm) */
type Param = { type: string; alg: number };

/** A valid makeCredential request for the probes' RP: one new user, the key's algorithm, nothing discoverable. */
function validMakeCredential(param: Param): Params {
  return new Map<number, CanonicalValue>([
    [0x01, cdh()],
    [0x02, { id: PROBE_RP_ID, name: 'fido2-harness CTAP probes' }],
    [0x03, { id: Uint8Array.from([...HARNESS_USER_PREFIX, ...crypto.randomBytes(8)]), name: 'probe-requests', displayName: 'fido2-harness probe (requests)' }],
    [0x04, [param]],
  ]);
}

/** Each makeCredential case: the valid request with exactly one thing changed. */
const MC_MUTATIONS: Record<MakeCredentialCaseId, (m: Params, param: Param) => void> = {
  'mc.noClientDataHash': (m) => m.delete(0x01),
  'mc.clientDataHashText': (m) => m.set(0x01, 'not a byte string'),
  'mc.noRp': (m) => m.delete(0x02),
  'mc.rpArray': (m) => m.set(0x02, []),
  'mc.noUser': (m) => m.delete(0x03),
  'mc.userBool': (m) => m.set(0x03, true),
  'mc.noParams': (m) => m.delete(0x04),
  'mc.paramsMap': (m) => m.set(0x04, {}),
  'mc.excludeListMap': (m) => m.set(0x05, {}),
  'mc.extensionsArray': (m) => m.set(0x06, []),
  'mc.optionsArray': (m) => m.set(0x07, []),
  'mc.rpIdNumber': (m) => m.set(0x02, { id: 42, name: 'x' }),
  'mc.rpNameNumber': (m) => m.set(0x02, { id: PROBE_RP_ID, name: 42 }),
  'mc.rpNoId': (m) => m.set(0x02, { name: 'no id' }),
  'mc.userIdText': (m) => m.set(0x03, { id: 'fido2-harness-text-id', name: 'x' }),
  'mc.userNameNumber': (m) => m.set(0x03, { id: Uint8Array.from(HARNESS_USER_PREFIX), name: 42 }),
  'mc.userDisplayNameNumber': (m) => m.set(0x03, { id: Uint8Array.from(HARNESS_USER_PREFIX), name: 'x', displayName: 42 }),
  'mc.userNoId': (m) => m.set(0x03, { name: 'no id' }),
  'mc.paramNoType': (m, p) => m.set(0x04, [{ alg: p.alg }, p]),
  'mc.paramAlgText': (m, p) => m.set(0x04, [{ type: 'public-key', alg: 'ES256' }, p]),
  'mc.paramsUnsupportedOnly': (m) => m.set(0x04, [{ type: 'public-key', alg: -1 }]),
  'mc.paramsUnsupportedFirst': (m, p) => m.set(0x04, [{ type: 'public-key', alg: -1 }, p]),
  'mc.paramsUnknownType': (m, p) => m.set(0x04, [{ type: 'fido2-harness-unknown', alg: p.alg }, p]),
  'mc.excludeNoId': (m) => m.set(0x05, [{ type: 'public-key' }]),
  'mc.excludeIdText': (m) => m.set(0x05, [{ type: 'public-key', id: 'text id' }]),
  'mc.excludeUnknownType': (m) => m.set(0x05, [{ type: 'fido2-harness-unknown', id: new Uint8Array(16) }]),
  'mc.unknownOption': (m) => m.set(0x07, { 'fido2-harness': true }),
  'mc.optionNotBool': (m) => m.set(0x07, { rk: 'yes' }),
  'mc.invalidUtf8': (m) => m.set(0x02, new Map<string, CanonicalValue>([['id', PROBE_RP_ID], ['name', new RawCbor(Uint8Array.of(0x62, 0xff, 0xfe))]])),
  'mc.deeplyNested': (m) => {
    let deep: CanonicalValue = true;
    for (let i = 0; i < 30; i++) deep = { a: deep };
    m.set(0x06, { 'fido2-harness-deep': deep });
  },
  'mc.upFalse': (m) => m.set(0x07, { up: false }),
};

/** Each getAssertion case, from a valid request naming credential A. */
const GA_MUTATIONS: Record<GetAssertionCaseId, (m: Params) => void> = {
  'ga.noRpId': (m) => m.delete(0x01),
  'ga.rpIdArray': (m) => m.set(0x01, []),
  'ga.noClientDataHash': (m) => m.delete(0x02),
  'ga.clientDataHashText': (m) => m.set(0x02, 'not a byte string'),
  'ga.allowListMap': (m) => m.set(0x03, {}),
  'ga.allowListNotMap': (m) => m.set(0x03, [...(m.get(0x03) as CanonicalValue[]), true]),
  'ga.allowNoId': (m) => m.set(0x03, [{ type: 'public-key' }]),
  'ga.rkOption': (m) => m.set(0x05, { rk: true }),
  'ga.unknownOption': (m) => m.set(0x05, { 'fido2-harness': true }),
  'ga.unknownCredential': (m) => m.set(0x03, [{ type: 'public-key', id: new Uint8Array(crypto.randomBytes(48)) }]),
};

/**
 * Request validation (CTAP 2.3 §6.1, §6.2, §8; the FIDO MakeCredentialRequest and
 * GetAssertionReq test groups): the valid request with one member missing, of the wrong type,
 * or unusual (an unknown option, an unsupported algorithm first), each sent once, with the status
 * and whether the key asked for a touch recorded. Nothing discoverable is ever asked for, so a
 * key that processes a malformed request leaves nothing on itself. On a key that wants user
 * verification for every credential, each request carries a token, so its only defect is the one
 * meant. A touch is asked for by the requests that must be processed (six).
 */
export async function probeRequests(s: CtapSession, credentialA: Uint8Array): Promise<RequestsProbe> {
  const param: Param = { type: 'public-key', alg: s.probeAlgorithm };
  const o = s.info.options;
  const needsToken = (o.clientPin === true || o.uv === true) && (o.makeCredUvNotRqd !== true || o.alwaysUv === true);
  let token: PinUvAuthToken | undefined;
  let why: string | undefined;
  const fresh = async () => {
    token = undefined;
    if (!needsToken) return;
    const t = await s.token(PERMISSION.mc | PERMISSION.ga, PROBE_RP_ID, undefined, true).catch((e: unknown) => ({ why: statusOf(e), token: undefined }));
    token = t.token;
    why = t.token ? undefined : (t.why ?? 'no token');
  };
  await fresh();
  if (needsToken && !token) return { skipped: `the key wants user verification for every credential, and no token could be had: ${why}` };
  const send = async (command: number, m: Params): Promise<RequestRecord> => {
    const call = s.call();
    const r = await s.ctap2.raw(command, encodeCanonical(m), call).then((x) => ({ status: x.status === 0 ? 'OK' : statusName(x.status), body: x.body }), (e: unknown) => ({ status: statusOf(e), body: undefined }));
    const rec: RequestRecord = { status: r.status, upNeeded: call.keepalives.includes(KEEPALIVE.UP_NEEDED) };
    if (r.status === 'OK' && command === CTAP2.makeCredential && r.body) {
      try {
        const map = decodeCbor(r.body, 'makeCredential answer').value as Map<number, unknown>;
        const ad = parseAuthenticatorData(map.get(0x02) as Uint8Array, { allowTrailing: true });
        const alg = ad.attestedCredentialData?.publicKey.get(3);
        if (typeof alg === 'number') rec.alg = alg;
        if (ad.attestedCredentialData) rec.credentialId = Buffer.from(ad.attestedCredentialData.credentialId).toString('base64url');
      } catch {
        // the answer's shape is another check's business; the status is what this probe records
      }
    }
    return rec;
  };
  const cases: Record<string, RequestRecord> = {};
  const out: RequestsProbe = { cases, alg: param.alg };
  for (const id of Object.keys(MAKE_CREDENTIAL_CASES) as MakeCredentialCaseId[]) {
    const m = validMakeCredential(param);
    if (token) {
      m.set(0x08, pinUvAuthParam(token, m.get(0x01) instanceof Uint8Array ? (m.get(0x01) as Uint8Array) : cdh()));
      m.set(0x09, token.protocol.version);
    }
    MC_MUTATIONS[id](m, param);
    if (token && m.get(0x01) instanceof Uint8Array) m.set(0x08, pinUvAuthParam(token, m.get(0x01) as Uint8Array));
    const rec = await send(CTAP2.makeCredential, m);
    cases[id] = rec;
    // a request the key processed used the token up (CTAP 2.1 §6.1.2 step 14.4)
    if (rec.status === 'OK') await fresh();
  }
  // how the key is protected: the zero-length pinUvAuthParam, credentials without verification
  const pinUv = o.clientPin !== undefined || o.pinUvAuthToken === true;
  if (pinUv) {
    const m = validMakeCredential(param);
    m.set(0x08, new Uint8Array());
    m.set(0x09, s.protocols()[0]?.version ?? 1);
    cases['mc.emptyPinUvAuthParam'] = await send(CTAP2.makeCredential, m);
    const g = new Map<number, CanonicalValue>([[0x01, PROBE_RP_ID], [0x02, cdh()], [0x03, [{ type: 'public-key', id: credentialA }]], [0x06, new Uint8Array()], [0x07, s.protocols()[0]?.version ?? 1]]);
    cases['ga.emptyPinUvAuthParam'] = await send(CTAP2.getAssertion, g);
  }
  if (o.clientPin === true || o.uv === true) {
    const rk = validMakeCredential(param);
    rk.set(0x07, { rk: true });
    const rec = await send(CTAP2.makeCredential, rk);
    cases['mc.rkWithoutUv'] = rec;
    // a key that made it anyway holds a discoverable credential: the run removes it
    if (rec.status === 'OK' && rec.credentialId) s.changes.created.push({ rpId: PROBE_RP_ID, credentialId: rec.credentialId, by: 'probe requests (a discoverable credential without verification)' });
    if (o.makeCredUvNotRqd !== true) cases['mc.withoutUv'] = await send(CTAP2.makeCredential, validMakeCredential(param));
  }
  for (const id of Object.keys(GET_ASSERTION_CASES) as GetAssertionCaseId[]) {
    const m = new Map<number, CanonicalValue>([
      [0x01, PROBE_RP_ID],
      [0x02, cdh()],
      [0x03, [{ type: 'public-key', id: credentialA }]],
    ]);
    GA_MUTATIONS[id](m);
    cases[id] = await send(CTAP2.getAssertion, m);
  }
  return out;
}
