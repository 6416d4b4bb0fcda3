import crypto from 'node:crypto';
import type { CanonicalValue } from '../../../cbor/encodeCanonical.ts';
import { toBase64url } from '../../../encoding/base64url.ts';
import type { AuthenticatorInfo } from '../../../ctap/ctap2/getInfo.ts';
import { credProtect } from '../../../ctap/ctap2/extensions/credProtect.ts';
import { credBlob } from '../../../ctap/ctap2/extensions/credBlob.ts';
import { hmacSecret } from '../../../ctap/ctap2/extensions/hmacSecret.ts';
import { largeBlobKey } from '../../../ctap/ctap2/extensions/largeBlobKey.ts';
import type { ExtensionsProbe } from '../../../checks/ctap/CtapEvidence.ts';
import { attempt, type CtapSession } from '../CtapSession.ts';

/**
 * Extensions whose makeCredential output CTAP 2.1 §12 defines, so an answer can be judged, with
 * the input the probe sends (the extension modules build it, as for the WebAuthn client).
 */
const EXERCISED: Record<string, { input: (info: AuthenticatorInfo) => CanonicalValue; needsRk?: boolean }> = {
  [credProtect.name]: { input: () => credProtect.createInput(1) },
  [hmacSecret.name]: { input: () => hmacSecret.createInput() },
  [credBlob.name]: { input: (info) => credBlob.createInput(new Uint8Array(crypto.randomBytes(Math.min(16, credBlob.maxLength(info))))) },
  [largeBlobKey.name]: { input: () => largeBlobKey.input(), needsRk: true },
};
export const EXERCISED_EXTENSIONS = Object.keys(EXERCISED);

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
  const requested = EXERCISED_EXTENSIONS.filter((e) => listed.includes(e) && (!EXERCISED[e]!.needsRk || rk));
  if (!requested.length) return { skipped: `getInfo lists none of ${EXERCISED_EXTENSIONS.join(', ')}`, notApplicable: true };
  const ext = new Map<string, CanonicalValue>();
  for (const e of requested) ext.set(e, EXERCISED[e]!.input(s.info));
  const r = await attempt(() => s.makeCredential({ by: 'extensions', rk, extensions: ext }));
  return { requested: [...requested], status: r.status, authData: r.value ? toBase64url(r.value.authData) : undefined, largeBlobKey: r.value ? r.value.largeBlobKey !== undefined : undefined };
}
