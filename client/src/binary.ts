import { base64URLStringToBuffer, bufferToBase64URLString } from '@simplewebauthn/browser';

/**
 * The server sends binary extension inputs as base64url (as WebAuthn L3's
 * parseCreationOptionsFromJSON does); the browser API wants BufferSources.
 */
export function extensionInputsToBuffers(ext: Record<string, any> | undefined): Record<string, any> | undefined {
  if (!ext) return ext;
  const out: Record<string, any> = { ...ext };
  const buf = (s: string | undefined) => (s === undefined ? undefined : base64URLStringToBuffer(s));
  if (ext.prf?.eval) {
    out.prf = { ...ext.prf, eval: { first: buf(ext.prf.eval.first), ...(ext.prf.eval.second ? { second: buf(ext.prf.eval.second) } : {}) } };
  }
  if (typeof ext.credBlob === 'string') out.credBlob = buf(ext.credBlob);
  if (typeof ext.largeBlob?.write === 'string') out.largeBlob = { write: buf(ext.largeBlob.write) };
  return out;
}

/** Client extension outputs hold ArrayBuffers (prf results, largeBlob blob): base64url them for JSON. */
export function buffersToBase64url(v: unknown): unknown {
  if (v instanceof ArrayBuffer) return bufferToBase64URLString(v);
  if (ArrayBuffer.isView(v)) return bufferToBase64URLString(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
  if (Array.isArray(v)) return v.map(buffersToBase64url);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, buffersToBase64url(x)]));
  return v;
}

export function textToBase64url(s: string): string {
  return bufferToBase64URLString(new TextEncoder().encode(s).buffer as ArrayBuffer);
}
