import { HarnessError } from '../errors/HarnessError.ts';

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  /** members not defined by WebAuthn L3 §5.8.1 (e.g. Android's androidPackageName, Chrome's other_keys_can_be_added_here) */
  unknownKeys: string[];
  raw: Record<string, unknown>;
}

const KNOWN = new Set(['type', 'challenge', 'origin', 'crossOrigin', 'topOrigin', 'tokenBinding']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse CollectedClientData (WebAuthn L3 §5.8.1); wrong shapes are bad input. */
export function parseClientDataJSON(bytes: Uint8Array): ClientData {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HarnessError('BAD_CLIENT_DATA', 'clientDataJSON is not valid UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HarnessError('BAD_CLIENT_DATA', `clientDataJSON is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HarnessError('BAD_CLIENT_DATA', 'clientDataJSON must be a JSON object');
  }
  const o = raw as Record<string, unknown>;
  for (const k of ['type', 'challenge', 'origin'] as const) {
    if (typeof o[k] !== 'string') {
      throw new HarnessError('BAD_CLIENT_DATA', `clientDataJSON.${k} must be a string, got ${o[k] === undefined ? 'nothing' : typeof o[k]}`);
    }
  }
  if (o.crossOrigin !== undefined && typeof o.crossOrigin !== 'boolean') {
    throw new HarnessError('BAD_CLIENT_DATA', 'clientDataJSON.crossOrigin must be a boolean when present');
  }
  if (o.topOrigin !== undefined && typeof o.topOrigin !== 'string') {
    throw new HarnessError('BAD_CLIENT_DATA', 'clientDataJSON.topOrigin must be a string when present');
  }
  return {
    type: o.type as string,
    challenge: o.challenge as string,
    origin: o.origin as string,
    crossOrigin: o.crossOrigin as boolean | undefined,
    topOrigin: o.topOrigin as string | undefined,
    unknownKeys: Object.keys(o).filter((k) => !KNOWN.has(k)),
    raw: o,
  };
}
