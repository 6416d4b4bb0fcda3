import { HarnessError } from '../errors/HarnessError.ts';
import type { ErrorCode } from '../errors/errorCodes.ts';

/** A JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A document from outside (a report, a draft statement): refused when larger than it can
 * plausibly be, parsed, errors naming the file. `what` completes "…; <what> is far smaller".
 */
export function parseJsonDocument(text: string, name: string, o: { maxBytes: number; what: string; sizeCode?: ErrorCode; jsonCode?: ErrorCode }): unknown {
  if (text.length > o.maxBytes) throw new HarnessError(o.sizeCode ?? 'BAD_INPUT', `${name} is larger than ${o.maxBytes} bytes; ${o.what} is far smaller`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HarnessError(o.jsonCode ?? 'BAD_JSON', `${name} is not JSON: ${(e as Error).message}`);
  }
}
