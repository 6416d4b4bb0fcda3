import { toHex } from './base64url.ts';

/** An AAGUID in that form, lowercase (what MDS statements, profiles and reports carry). */
export const AAGUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 16 AAGUID bytes as the 8-4-4-4-12 form MDS and vendors use. */
export function formatAaguid(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
