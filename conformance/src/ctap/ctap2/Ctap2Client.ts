import { decodeCbor, decodeCborMapEntries, type CborValue } from '../../cbor/decodeCbor.ts';
import { encodeCanonical, type CanonicalValue } from '../../cbor/encodeCanonical.ts';
import { CTAP2, CTAP2_NAMES } from '../constants.ts';
import { CtapError, deviceError } from '../CtapError.ts';
import type { CallOptions } from '../connection/CallOptions.ts';
import type { CtapConnection } from '../connection/CtapConnection.ts';
import { decodeGetInfo, type AuthenticatorInfo } from './getInfo.ts';

export interface PublicKeyCredentialDescriptor {
  type: 'public-key';
  id: Uint8Array;
  transports?: string[];
}

export interface MakeCredentialParams {
  clientDataHash: Uint8Array;
  rp: { id: string; name?: string };
  user: { id: Uint8Array; name?: string; displayName?: string };
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  excludeList?: PublicKeyCredentialDescriptor[];
  extensions?: Map<string, CanonicalValue>;
  options?: { rk?: boolean; uv?: boolean; up?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  enterpriseAttestation?: number;
  /** attestation formats in the RP's order of preference (CTAP 2.2) */
  attestationFormatsPreference?: string[];
}

export interface MakeCredentialResult {
  fmt: string;
  authData: Uint8Array;
  attStmt: Map<number | string, CborValue>;
  /** the attestation statement's CBOR exactly as the device sent it */
  attStmtRaw: Uint8Array;
  epAtt?: boolean;
  largeBlobKey?: Uint8Array;
  /** unsignedExtensionOutputs (0x06, CTAP 2.2) */
  unsignedExtensionOutputs?: Map<number | string, CborValue>;
  nonCanonical: string[];
}

export interface GetAssertionParams {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList?: PublicKeyCredentialDescriptor[];
  extensions?: Map<string, CanonicalValue>;
  options?: { up?: boolean; uv?: boolean };
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

export interface GetAssertionResult {
  credential?: { type: string; id: Uint8Array };
  authData: Uint8Array;
  signature: Uint8Array;
  user?: { id: Uint8Array; name?: string; displayName?: string };
  numberOfCredentials?: number;
  userSelected?: boolean;
  largeBlobKey?: Uint8Array;
  /** unsignedExtensionOutputs (0x08, CTAP 2.2) */
  unsignedExtensionOutputs?: Map<number | string, CborValue>;
  nonCanonical: string[];
}

const descriptor = (d: PublicKeyCredentialDescriptor): CanonicalValue => ({ type: d.type, id: d.id, ...(d.transports ? { transports: d.transports } : {}) });

/** A map of integer-keyed members; the map itself or a DEVICE_PROTOCOL error naming the command. */
function responseMap(command: string, body: Uint8Array): { map: Map<number | string, CborValue>; nonCanonical: string[] } {
  if (body.length === 0) return { map: new Map(), nonCanonical: [] };
  let d;
  try {
    d = decodeCbor(body, command);
  } catch (e) {
    throw deviceError('DEVICE_PROTOCOL', `${command} answered success with a body that is not one CBOR item: ${(e as Error).message}`, e);
  }
  if (!(d.value instanceof Map)) throw deviceError('DEVICE_PROTOCOL', `${command} answered success with CBOR that is not a map`);
  return { map: d.value, nonCanonical: d.nonCanonical };
}

function member<T>(command: string, m: Map<number | string, CborValue>, key: number, what: string, test: (v: CborValue) => boolean, required: boolean): T | undefined {
  const v = m.get(key);
  if (v === undefined) {
    if (required) throw deviceError('DEVICE_PROTOCOL', `${command} answered without ${what} (member 0x${key.toString(16).padStart(2, '0')})`);
    return undefined;
  }
  if (!test(v)) throw deviceError('DEVICE_PROTOCOL', `${command}: member 0x${key.toString(16).padStart(2, '0')} (${what}) has the wrong type`);
  return v as T;
}
const isBytes = (v: CborValue) => v instanceof Uint8Array;
const isText = (v: CborValue) => typeof v === 'string';
const isMap = (v: CborValue) => v instanceof Map;

/**
 * The CTAP2 client (CTAP 2.1 §6): one method per authenticator command, canonical CBOR out,
 * strict decoding in. A status other than success throws CtapError (the device's answer); an
 * answer that is not CTAP throws DEVICE_PROTOCOL.
 */
export class Ctap2Client {
  /** the key's connection (replaced when the key is power-cycled and connected again) */
  connection: CtapConnection;
  /** the last answer's raw bytes (status byte excluded), for checks that judge the encoding */
  lastBody: Uint8Array = new Uint8Array();
  private cachedInfo?: AuthenticatorInfo;

  constructor(connection: CtapConnection) {
    this.connection = connection;
  }

  /**
   * authenticatorGetInfo as last read. Commands that change what it says (setPIN, changePIN,
   * authenticatorConfig, reset, bio enrollment) read it again before they return, so a caller
   * never acts on a stale copy (a PIN set by --set-pin, alwaysUv toggled, a finger enrolled).
   */
  get info(): AuthenticatorInfo {
    if (!this.cachedInfo) throw new Error('Ctap2Client.info read before getInfo()');
    return this.cachedInfo;
  }

  /** Any command with raw parameters; the status and body as they came. */
  async raw(command: number, params: Uint8Array | undefined, o?: CallOptions): Promise<{ status: number; body: Uint8Array }> {
    const r = await this.connection.cbor(command, params ?? new Uint8Array(), o);
    this.lastBody = r.body;
    return r;
  }

  /** A command with CBOR parameters (a map, keys as the command defines); the answer's map on success. */
  async call(command: number, params: Map<number, CanonicalValue> | undefined, o?: CallOptions): Promise<{ map: Map<number | string, CborValue>; nonCanonical: string[]; body: Uint8Array }> {
    const name = CTAP2_NAMES[command] ?? `CTAP2 command 0x${command.toString(16)}`;
    const r = await this.raw(command, params && params.size ? encodeCanonical(params) : undefined, o);
    if (r.status !== 0) throw new CtapError(name, r.status);
    return { ...responseMap(name, r.body), body: r.body };
  }

  /** authenticatorGetInfo, read now (and kept as `info`). */
  async getInfo(o?: CallOptions): Promise<AuthenticatorInfo> {
    const r = await this.raw(CTAP2.getInfo, undefined, o);
    if (r.status !== 0) throw new CtapError('authenticatorGetInfo', r.status);
    this.cachedInfo = decodeGetInfo(r.body);
    return this.cachedInfo;
  }

  async makeCredential(p: MakeCredentialParams, o?: CallOptions): Promise<MakeCredentialResult> {
    const params = new Map<number, CanonicalValue>([
      [0x01, p.clientDataHash],
      [0x02, { id: p.rp.id, ...(p.rp.name !== undefined ? { name: p.rp.name } : {}) }],
      [0x03, { id: p.user.id, ...(p.user.name !== undefined ? { name: p.user.name } : {}), ...(p.user.displayName !== undefined ? { displayName: p.user.displayName } : {}) }],
      [0x04, p.pubKeyCredParams.map((c) => ({ type: c.type, alg: c.alg }))],
    ]);
    if (p.excludeList?.length) params.set(0x05, p.excludeList.map(descriptor));
    if (p.extensions?.size) params.set(0x06, p.extensions);
    const opts = Object.fromEntries(Object.entries(p.options ?? {}).filter(([, v]) => v !== undefined)) as Record<string, boolean>;
    if (Object.keys(opts).length) params.set(0x07, opts);
    if (p.pinUvAuthParam) params.set(0x08, p.pinUvAuthParam);
    if (p.pinUvAuthProtocol !== undefined) params.set(0x09, p.pinUvAuthProtocol);
    if (p.enterpriseAttestation !== undefined) params.set(0x0a, p.enterpriseAttestation);
    if (p.attestationFormatsPreference?.length) params.set(0x0b, p.attestationFormatsPreference);
    const name = 'authenticatorMakeCredential';
    const r = await this.raw(CTAP2.makeCredential, encodeCanonical(params), o);
    if (r.status !== 0) throw new CtapError(name, r.status);
    let entries;
    try {
      entries = decodeCborMapEntries(r.body, name);
    } catch (e) {
      throw deviceError('DEVICE_PROTOCOL', `${name} answered success with a body that is not a CBOR map: ${(e as Error).message}`, e);
    }
    const m = new Map(entries.entries.map((e) => [e.key, e.value]));
    const fmt = member<string>(name, m, 0x01, 'fmt', isText, true)!;
    const authData = member<Uint8Array>(name, m, 0x02, 'authData', isBytes, true)!;
    const attStmt = member<Map<number | string, CborValue>>(name, m, 0x03, 'attStmt', isMap, true)!;
    return {
      fmt,
      authData,
      attStmt,
      attStmtRaw: entries.entries.find((e) => e.key === 0x03)!.raw,
      epAtt: member<boolean>(name, m, 0x04, 'epAtt', (v) => typeof v === 'boolean', false),
      largeBlobKey: member<Uint8Array>(name, m, 0x05, 'largeBlobKey', isBytes, false),
      unsignedExtensionOutputs: member<Map<number | string, CborValue>>(name, m, 0x06, 'unsignedExtensionOutputs', isMap, false),
      nonCanonical: entries.nonCanonical,
    };
  }

  async getAssertion(p: GetAssertionParams, o?: CallOptions): Promise<GetAssertionResult> {
    const params = new Map<number, CanonicalValue>([[0x01, p.rpId], [0x02, p.clientDataHash]]);
    if (p.allowList?.length) params.set(0x03, p.allowList.map(descriptor));
    if (p.extensions?.size) params.set(0x04, p.extensions);
    const opts = Object.fromEntries(Object.entries(p.options ?? {}).filter(([, v]) => v !== undefined)) as Record<string, boolean>;
    if (Object.keys(opts).length) params.set(0x05, opts);
    if (p.pinUvAuthParam) params.set(0x06, p.pinUvAuthParam);
    if (p.pinUvAuthProtocol !== undefined) params.set(0x07, p.pinUvAuthProtocol);
    const r = await this.call(CTAP2.getAssertion, params, o);
    return assertionResult('authenticatorGetAssertion', r.map, r.nonCanonical);
  }

  async getNextAssertion(o?: CallOptions): Promise<GetAssertionResult> {
    const r = await this.call(CTAP2.getNextAssertion, undefined, o);
    return assertionResult('authenticatorGetNextAssertion', r.map, r.nonCanonical);
  }

  /** authenticatorSelection (§6.9): the person touches the key they mean. */
  async selection(o?: CallOptions): Promise<void> {
    await this.call(CTAP2.selection, undefined, o);
  }

  /**
   * authenticatorReset wipes every credential on the key. Only ever sent when the person asked
   * for it in so many words (`--allow-reset`); the guard is here so no code path can forget it.
   */
  async reset(o: CallOptions & { allowReset: true }): Promise<void> {
    if (o.allowReset !== true) throw new Error('authenticatorReset needs allowReset: true');
    await this.call(CTAP2.reset, undefined, o);
    await this.getInfo(o);
  }
}

function assertionResult(name: string, m: Map<number | string, CborValue>, nonCanonical: string[]): GetAssertionResult {
  const cred = member<Map<string, CborValue>>(name, m, 0x01, 'credential', isMap, false);
  const user = member<Map<string, CborValue>>(name, m, 0x04, 'user', isMap, false);
  if (cred && !(cred.get('id') instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', `${name}: credential.id is not a byte string`);
  if (user && !(user.get('id') instanceof Uint8Array)) throw deviceError('DEVICE_PROTOCOL', `${name}: user.id is not a byte string`);
  const str = (v: CborValue | undefined) => (typeof v === 'string' ? v : undefined);
  return {
    credential: cred ? { type: str(cred.get('type')) ?? 'public-key', id: cred.get('id') as Uint8Array } : undefined,
    authData: member<Uint8Array>(name, m, 0x02, 'authData', isBytes, true)!,
    signature: member<Uint8Array>(name, m, 0x03, 'signature', isBytes, true)!,
    user: user ? { id: user.get('id') as Uint8Array, name: str(user.get('name')), displayName: str(user.get('displayName')) } : undefined,
    numberOfCredentials: member<number>(name, m, 0x05, 'numberOfCredentials', (v) => typeof v === 'number', false),
    userSelected: member<boolean>(name, m, 0x06, 'userSelected', (v) => typeof v === 'boolean', false),
    largeBlobKey: member<Uint8Array>(name, m, 0x07, 'largeBlobKey', isBytes, false),
    unsignedExtensionOutputs: member<Map<number | string, CborValue>>(name, m, 0x08, 'unsignedExtensionOutputs', isMap, false),
    nonCanonical,
  };
}
