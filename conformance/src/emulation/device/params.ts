import { decodeCbor, decodeCborMapEntries, type CborKey, type CborValue } from '../../cbor/decodeCbor.ts';
import { CTAP_STATUS as S } from '../../ctap/status.ts';

/** A command's parameters as they arrived: CBOR map keys to values. */
export type Params = Map<number | string, CborValue>;

/** The device's answer is a status other than success: thrown by any rule, answered by the dispatcher. */
export class Refusal extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`status 0x${code.toString(16)}`);
    this.code = code;
  }
}

export const refuse = (code: number): never => {
  throw new Refusal(code);
};

/** The deepest nesting the key accepts in a request (a hostile host must not make it recurse). */
export const MAX_REQUEST_DEPTH = 8;

/**
 * A request's CBOR parameters (CTAP 2.1 §8: one CTAP2 canonical CBOR map). Not CBOR at all,
 * truncated, trailing bytes, indefinite lengths or nesting past MAX_REQUEST_DEPTH:
 * CTAP2_ERR_INVALID_CBOR. A well-formed item that is not a map: CTAP2_ERR_INVALID_CBOR too (there
 * is nothing to read parameters from). Keys the command does not define are ignored by the
 * readers below, as §6 asks of unknown members.
 */
export function readParams(bytes: Uint8Array): Params {
  if (bytes.length === 0) return new Map();
  let d;
  try {
    d = decodeCbor(bytes, 'request');
  } catch {
    return refuse(S.CTAP2_ERR_INVALID_CBOR);
  }
  if (d.nonCanonical.some((n) => n.startsWith('indefinite'))) refuse(S.CTAP2_ERR_INVALID_CBOR);
  if (depth(d.value) > MAX_REQUEST_DEPTH) refuse(S.CTAP2_ERR_INVALID_CBOR);
  if (!(d.value instanceof Map)) refuse(S.CTAP2_ERR_INVALID_CBOR);
  return d.value as Params;
}

/** Each member's bytes exactly as the platform sent them (what a pinUvAuthParam was computed over). */
export function rawMembers(bytes: Uint8Array): Map<CborKey, Uint8Array> {
  if (bytes.length === 0) return new Map();
  return new Map(decodeCborMapEntries(bytes, 'request').entries.map((e) => [e.key, e.raw]));
}

function depth(v: CborValue): number {
  if (v instanceof Map) return 1 + Math.max(0, ...[...v.values()].map(depth));
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  return 0;
}

/** The CBOR type a member must have. */
export type Kind = 'bytes' | 'text' | 'uint' | 'int' | 'bool' | 'map' | 'array';
type KindValue<K extends Kind> = K extends 'bytes' ? Uint8Array : K extends 'text' ? string : K extends 'uint' | 'int' ? number : K extends 'bool' ? boolean : K extends 'map' ? Params : CborValue[];

export function isKind(k: Kind, v: CborValue): boolean {
  switch (k) {
    case 'bytes':
      return v instanceof Uint8Array;
    case 'text':
      return typeof v === 'string';
    case 'uint':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'map':
      return v instanceof Map;
    case 'array':
      return Array.isArray(v);
  }
}

/**
 * Parameter readers with the statuses CTAP 2.1 §6 and §8 name: a required member missing is
 * CTAP2_ERR_MISSING_PARAMETER, a member of the wrong CBOR type CTAP2_ERR_CBOR_UNEXPECTED_TYPE.
 * `onMissing` lets a fault answer another status for a missing member.
 */
export class ParamReader {
  private readonly onMissing: () => never;
  constructor(onMissing: () => never = () => refuse(S.CTAP2_ERR_MISSING_PARAMETER)) {
    this.onMissing = onMissing;
  }

  missing(): never {
    return this.onMissing();
  }

  required<K extends Kind>(p: Params | undefined, key: number | string, kind: K): KindValue<K> {
    const v = p?.get(key);
    if (v === undefined) this.missing();
    if (!isKind(kind, v!)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    return v as KindValue<K>;
  }

  optional<K extends Kind>(p: Params | undefined, key: number | string, kind: K): KindValue<K> | undefined {
    const v = p?.get(key);
    if (v === undefined) return undefined;
    if (!isKind(kind, v)) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    return v as KindValue<K>;
  }

  /**
   * A PublicKeyCredentialDescriptor list (excludeList, allowList): each element a map with a text
   * `type` and a byte-string `id`, `transports` an array of text when present (CTAP 2.1 §6.1,
   * WebAuthn L3 §5.8.3). Descriptors of a type this key does not know are kept here and simply
   * never match (§6.1.2: unknown types are not an error).
   */
  descriptors(p: Params, key: number): { type: string; id: Uint8Array }[] | undefined {
    const list = this.optional(p, key, 'array');
    if (list === undefined) return undefined;
    return list.map((d) => {
      if (!(d instanceof Map)) return refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      const type = this.required(d as Params, 'type', 'text');
      const id = this.required(d as Params, 'id', 'bytes');
      const transports = this.optional(d as Params, 'transports', 'array');
      if (transports && !transports.every((t) => typeof t === 'string')) refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      return { type, id };
    });
  }

  /** An options map: text keys, boolean values; unknown options are kept and ignored by the command. */
  options(p: Params, key: number): Map<string, boolean> {
    const m = this.optional(p, key, 'map');
    const out = new Map<string, boolean>();
    for (const [k, v] of m ?? []) {
      if (typeof k !== 'string') refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      if (typeof v !== 'boolean') refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      out.set(k as string, v as boolean);
    }
    return out;
  }

  /** An extensions map: text identifiers; each extension reads its own input. */
  extensions(p: Params, key: number): Params {
    const m = this.optional(p, key, 'map') ?? new Map();
    for (const k of m.keys()) if (typeof k !== 'string') refuse(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    return m;
  }
}

export const strictReader = new ParamReader();
