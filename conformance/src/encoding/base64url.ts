import { HarnessError } from '../errors/HarnessError.ts';

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url decode (RFC 4648 §5, no padding accepted beyond what browsers emit).
 * `what` names the field so the error tells the sender which value was wrong.
 */
export function fromBase64url(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') {
    throw new HarnessError('BAD_BASE64URL', `${what}: expected a base64url string, got ${describeType(value)}`);
  }
  const s = value.endsWith('=') ? value.replace(/=+$/, '') : value;
  if (!B64URL.test(s) || s.length % 4 === 1) {
    throw new HarnessError('BAD_BASE64URL', `${what}: not valid base64url (only A-Z a-z 0-9 - _ are allowed, length ${value.length})`);
  }
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
