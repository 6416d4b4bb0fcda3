import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { X509Certificate } from 'node:crypto';
import type { MetadataBlob } from './MetadataBlob.ts';
import type { ParsedCertificate } from '../attestation/parseCertificate.ts';
import type { Finding } from '../webauthn/Finding.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** One certificate's revocation outcome. Never "good" by default: what was not checked says so. */
export interface CrlResult {
  subject: string;
  status: 'checked' | 'revoked' | 'unreachable' | 'skipped' | 'no-crl';
  detail: string;
}

/** Pluggable revocation checking (RFC 5280 §6.3): offline, fetching, or a test's own. */
export interface CrlChecker {
  name: string;
  check(chain: ParsedCertificate[], issuers: X509Certificate[], at: Date): Promise<CrlResult[]>;
}

export const SKIP_CRL: CrlChecker = {
  name: 'skipped',
  async check(chain) {
    return chain.map((c) => ({ subject: c.subject, status: 'skipped' as const, detail: 'CRL checking is off (--crl fetch turns it on)' }));
  },
};

function crlUrls(c: ParsedCertificate): string[] {
  try {
    const ext = new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>).getExtension(x509.CRLDistributionPointsExtension);
    return (ext?.distributionPoints ?? []).flatMap((dp) => (dp.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier).filter((u): u is string => !!u && /^https?:/i.test(u)));
  } catch {
    return [];
  }
}

/**
 * CRLs from a folder instead of the network (offline CI, or CRLs captured once): the file
 * named like the last path segment of each distribution point URL (…/crl/MDSCA-1.crl ->
 * MDSCA-1.crl). Same verification as fetching; a missing file is "unreachable".
 */
export function directoryCrlChecker(dir: string): CrlChecker {
  const local = (async (url: string | URL | Request) => {
    const name = path.basename(new URL(String(url)).pathname);
    try {
      return new Response(fs.readFileSync(path.join(dir, name)));
    } catch {
      return new Response(null, { status: 404, statusText: `no ${name} in ${dir}` });
    }
  }) as typeof fetch;
  return { ...fetchingCrlChecker({ fetch: local }), name: `directory ${dir}` };
}

/** Fetches each certificate's CRL (its distribution point), verifies it with the issuer's key, looks the serial up. */
export function fetchingCrlChecker(o: { fetch?: typeof fetch; timeoutMs?: number } = {}): CrlChecker {
  const f = o.fetch ?? fetch;
  return {
    name: 'fetch',
    async check(chain, issuers, at) {
      const out: CrlResult[] = [];
      for (const [i, c] of chain.entries()) {
        const urls = crlUrls(c);
        if (!urls.length) {
          out.push({ subject: c.subject, status: 'no-crl', detail: 'the certificate names no CRL distribution point' });
          continue;
        }
        const issuer = chain[i + 1]?.x509 ?? issuers.find((r) => c.x509.checkIssued(r));
        let result: CrlResult | undefined;
        const failures: string[] = [];
        for (const url of urls) {
          try {
            const res = await f(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const bytes = new Uint8Array(await res.arrayBuffer());
            const text = Buffer.from(bytes).toString('latin1');
            const crl = text.startsWith('-----BEGIN') ? new x509.X509Crl(text) : new x509.X509Crl(bytes);
            if (!issuer || !(await crl.verify({ publicKey: new x509.X509Certificate(issuer.raw as Uint8Array<ArrayBuffer>) }))) throw new Error('the CRL is not signed by the certificate\'s issuer');
            const entry = crl.findRevoked(new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>));
            result = entry && entry.revocationDate <= at
              ? { subject: c.subject, status: 'revoked', detail: `revoked ${entry.revocationDate.toISOString()} (CRL ${url})` }
              : { subject: c.subject, status: 'checked', detail: `not revoked (CRL ${url}, thisUpdate ${crl.thisUpdate.toISOString().slice(0, 10)})` };
            break;
          } catch (e) {
            failures.push(`${url}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}`);
          }
        }
        out.push(result ?? { subject: c.subject, status: 'unreachable', detail: `revocation unknown: ${failures.join('; ')}` });
      }
      return out;
    },
  };
}

/** Add the revocation outcome of the BLOB's signing chain to its findings (a revoked signer fails it). */
export async function checkBlobRevocation(blob: MetadataBlob, chain: ParsedCertificate[], roots: X509Certificate[], checker: CrlChecker): Promise<CrlResult[]> {
  const results = await checker.check(chain, roots, blob.verifiedAt);
  for (const r of results) {
    const f: Finding = {
      code: 'MDS_CRL',
      status: r.status === 'revoked' ? 'fail' : r.status === 'unreachable' ? 'warn' : r.status === 'checked' ? 'pass' : 'skip',
      spec: 'FIDO MDS 3.0 §3.2 step 5; RFC 5280 §6.3',
      message: `${r.subject}: ${r.status === 'no-crl' ? 'no CRL to check' : r.status}: ${r.detail}`,
    };
    blob.findings.push(f);
  }
  blob.verified = blob.findings.every((x) => x.status !== 'fail');
  return results;
}
