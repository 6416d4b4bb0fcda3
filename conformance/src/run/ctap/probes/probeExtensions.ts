import crypto from 'node:crypto';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { ExtensionsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, type CtapSession } from '../CtapSession.ts';

/** Extensions whose makeCredential output CTAP 2.1 §12 defines, so an answer can be judged. */
export const EXERCISED_EXTENSIONS = ['credProtect', 'hmac-secret', 'credBlob', 'largeBlobKey'] as const;

/**
 * Every extension getInfo lists, used (CTAP 2.1 §12): one makeCredential asking for each of the
 * ones with a defined output (credProtect, hmac-secret, credBlob, largeBlobKey). A key that lists
 * an extension must answer it; an extension in getInfo that does nothing is a statement a
 * platform will act on. Discoverable (largeBlobKey needs it) when the key stores them; removed at
 * the end like every probe credential.
 */
export async function probeExtensions(s: CtapSession): Promise<ExtensionsProbe> {
  const listed = s.info.extensions;
  const rk = s.info.options.rk === true;
  const requested = EXERCISED_EXTENSIONS.filter((e) => listed.includes(e) && (e !== 'largeBlobKey' || rk));
  if (!requested.length) return { skipped: 'getInfo lists none of credProtect, hmac-secret, credBlob, largeBlobKey', notApplicable: true };
  const ext = new Map<string, CanonicalValue>();
  for (const e of requested) {
    if (e === 'credProtect') ext.set(e, 1);
    else if (e === 'credBlob') ext.set(e, new Uint8Array(crypto.randomBytes(Math.min(16, s.info.maxCredBlobLength ?? 32))));
    else ext.set(e, true);
  }
  const r = await attempt(() => s.makeCredential({ by: 'extensions', rk, extensions: ext }));
  return { requested: [...requested], status: r.status, authData: r.value ? toBase64url(r.value.authData) : undefined, largeBlobKey: r.value ? r.value.largeBlobKey !== undefined : undefined };
}
