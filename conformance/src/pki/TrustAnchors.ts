import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { SettingsService } from '@simplewebauthn/server';
import { packagePath } from '../runtime/packagePath.ts';

/**
 * Vendor roots that attestation formats name (Google hardware attestation roots for
 * android-key, GlobalSign for SafetyNet, Apple WebAuthn root, GlobalSign roots for the MDS
 * BLOB) come from @simplewebauthn/server's maintained set, not from PEMs pasted here.
 * Roots for everything else (Yubico U2F, Microsoft TPM, each vendor's packed roots) come from
 * the key's MDS entry or from --roots.
 */
export type AnchorSet = 'android-key' | 'android-safetynet' | 'apple' | 'mds';

const cache = new Map<AnchorSet, X509Certificate[]>();

/** GlobalSign Root CA - R3, the FIDO MDS root, shipped in conformance/trust/ (see its README). */
export const mdsRootFile = () => packagePath('conformance', 'trust', 'globalsign-root-ca-r3.der');

export function builtinAnchors(set: AnchorSet): X509Certificate[] {
  let list = cache.get(set);
  if (!list) {
    list = SettingsService.getRootCertificates({ identifier: set }).map((pem: string) => new X509Certificate(pem));
    if (set === 'mds') {
      const shipped = new X509Certificate(fs.readFileSync(mdsRootFile()));
      list = [shipped, ...list.filter((c) => c.fingerprint256 !== shipped.fingerprint256)];
    }
    cache.set(set, list);
  }
  return list;
}

/** Read every PEM certificate in a text (a file may hold several). */
export function certificatesFromPem(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}
