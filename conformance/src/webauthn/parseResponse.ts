import { HarnessError } from '../errors/HarnessError.ts';
import { fromBase64url, describeType } from '../encoding/base64url.ts';
import { isJsonObject } from '../encoding/parseJsonDocument.ts';
import { decodeCbor, decodeCborItem, type CborValue } from '../cbor/decodeCbor.ts';
import { parseClientDataJSON, type ClientData } from './parseClientDataJSON.ts';
import { parseAuthenticatorData, type AuthenticatorData } from './parseAuthenticatorData.ts';

export interface ParsedRegistration {
  kind: 'registration';
  id: string;
  rawId: Uint8Array;
  clientDataJSON: Uint8Array;
  clientData: ClientData;
  attestationObject: Uint8Array;
  fmt: string;
  attStmt: Map<number | string, CborValue>;
  authData: AuthenticatorData;
  transports: string[];
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: string;
  /** CTAP2 canonical-CBOR violations anywhere in the attestation object */
  nonCanonical: string[];
  /** bytes after a CBOR item or the authenticator data (only with `allowTrailing`) */
  trailing: string[];
}

export interface ParsedAssertion {
  kind: 'authentication';
  id: string;
  rawId: Uint8Array;
  clientDataJSON: Uint8Array;
  clientData: ClientData;
  authData: AuthenticatorData;
  signature: Uint8Array;
  userHandle?: Uint8Array;
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: string;
  nonCanonical: string[];
  trailing: string[];
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (!isJsonObject(v)) {
    throw new HarnessError('BAD_RESPONSE', `${what}: expected an object, got ${describeType(v)}`);
  }
  return v;
}

function common(json: unknown) {
  const o = obj(json, 'response JSON');
  if (o.type !== 'public-key') {
    throw new HarnessError('BAD_RESPONSE', `type must be "public-key", got ${JSON.stringify(o.type) ?? 'nothing'}`);
  }
  if (typeof o.id !== 'string') throw new HarnessError('BAD_RESPONSE', `id must be a base64url string, got ${describeType(o.id)}`);
  const rawId = fromBase64url(o.rawId, 'rawId');
  fromBase64url(o.id, 'id');
  if (o.id.replace(/=+$/, '') !== Buffer.from(rawId).toString('base64url')) {
    throw new HarnessError('BAD_RESPONSE', 'id and rawId name different credentials');
  }
  if (rawId.length === 0) throw new HarnessError('BAD_RESPONSE', 'rawId is empty');
  const r = obj(o.response, 'response');
  const clientDataJSON = fromBase64url(r.clientDataJSON, 'response.clientDataJSON');
  const clientData = parseClientDataJSON(clientDataJSON);
  const ext = o.clientExtensionResults === undefined ? {} : obj(o.clientExtensionResults, 'clientExtensionResults');
  const att = o.authenticatorAttachment;
  if (att !== undefined && att !== null && typeof att !== 'string') {
    throw new HarnessError('BAD_RESPONSE', 'authenticatorAttachment must be a string when present');
  }
  return { o, r, id: o.id, rawId, clientDataJSON, clientData, clientExtensionResults: ext, authenticatorAttachment: (att ?? undefined) as string | undefined };
}

export interface ParseOptions {
  /** report bytes after the attestation object or the authenticator data instead of refusing them (conformance evaluation only) */
  allowTrailing?: boolean;
  /**
   * authenticator data that does not parse is the key's or the browser's defect, not bad input:
   * kept in `authData.defect` (with what could be decoded) for a failed verification that names
   * the byte (inspect, the RP). Input that is not a response at all still throws.
   */
  lenient?: boolean;
}

const authDataTrailing = (a: AuthenticatorData): string[] => (a.trailing ? [`authenticatorData: ${a.trailing} byte(s) after the ${a.flags.ED ? 'extensions' : a.flags.AT ? 'credential public key' : 'signature counter'} (flags AT=${a.flags.AT} ED=${a.flags.ED})`] : []);

/** RegistrationResponseJSON (WebAuthn L3 §5.1 toJSON) to bytes and structures. */
export function parseRegistrationResponse(json: unknown, o: ParseOptions = {}): ParsedRegistration {
  const c = common(json);
  const attestationObject = fromBase64url(c.r.attestationObject, 'response.attestationObject');
  const dec = o.allowTrailing ? decodeCborItem(attestationObject, 0, 'attestationObject') : decodeCbor(attestationObject, 'attestationObject');
  if (!(dec.value instanceof Map)) throw new HarnessError('BAD_CBOR', 'attestationObject is not a CBOR map');
  const m = dec.value;
  const fmt = m.get('fmt');
  const attStmt = m.get('attStmt');
  const authDataBytes = m.get('authData');
  if (typeof fmt !== 'string') throw new HarnessError('BAD_ATTESTATION_OBJECT', 'attestationObject.fmt must be a text string');
  if (!(attStmt instanceof Map)) throw new HarnessError('BAD_ATTESTATION_OBJECT', 'attestationObject.attStmt must be a map');
  if (!(authDataBytes instanceof Uint8Array)) throw new HarnessError('BAD_ATTESTATION_OBJECT', 'attestationObject.authData must be a byte string');
  const authData = parseAuthenticatorData(authDataBytes, o);
  if (!authData.attestedCredentialData && !authData.defect) {
    if (!o.lenient) throw new HarnessError('BAD_AUTHENTICATOR_DATA', 'registration authData has no attested credential data (AT flag clear)');
    authData.defect = { offset: 32, expected: 'the AT flag (0x40) set: a registration carries attested credential data (WebAuthn L3 §6.5.1)', actual: `flags 0x${authData.flags.value.toString(16).padStart(2, '0')}, AT clear` };
  }
  let transports: string[] = [];
  if (c.r.transports !== undefined) {
    if (!Array.isArray(c.r.transports) || !c.r.transports.every((t) => typeof t === 'string')) {
      throw new HarnessError('BAD_RESPONSE', 'response.transports must be an array of strings');
    }
    transports = c.r.transports as string[];
  }
  return {
    kind: 'registration',
    id: c.id,
    rawId: c.rawId,
    clientDataJSON: c.clientDataJSON,
    clientData: c.clientData,
    attestationObject,
    fmt,
    attStmt,
    authData,
    transports,
    clientExtensionResults: c.clientExtensionResults,
    authenticatorAttachment: c.authenticatorAttachment,
    nonCanonical: [...dec.nonCanonical.map((s) => `attestationObject: ${s}`), ...authData.nonCanonical],
    trailing: [...(dec.end < attestationObject.length ? [`attestationObject: ${attestationObject.length - dec.end} byte(s) after the CBOR map`] : []), ...authDataTrailing(authData)],
  };
}

/** AuthenticationResponseJSON to bytes and structures. */
export function parseAuthenticationResponse(json: unknown, o: ParseOptions = {}): ParsedAssertion {
  const c = common(json);
  const authData = parseAuthenticatorData(fromBase64url(c.r.authenticatorData, 'response.authenticatorData'), o);
  const signature = fromBase64url(c.r.signature, 'response.signature');
  const userHandle = c.r.userHandle === undefined || c.r.userHandle === null ? undefined : fromBase64url(c.r.userHandle, 'response.userHandle');
  return {
    kind: 'authentication',
    id: c.id,
    rawId: c.rawId,
    clientDataJSON: c.clientDataJSON,
    clientData: c.clientData,
    authData,
    signature,
    userHandle: userHandle && userHandle.length > 0 ? userHandle : undefined,
    clientExtensionResults: c.clientExtensionResults,
    authenticatorAttachment: c.authenticatorAttachment,
    nonCanonical: authData.nonCanonical,
    trailing: authDataTrailing(authData),
  };
}
