import { readCapped } from '../runtime/readCapped.ts';
import fs from 'node:fs';
import path from 'node:path';
import { packagePath } from '../runtime/packagePath.ts';
import type * as X509 from '@peculiar/x509';
import { peculiarX509 } from '../pki/x509Provider.ts';
import type { X509Certificate } from 'node:crypto';
import type { MetadataBlob } from './MetadataBlob.ts';
import type { ParsedCertificate } from '../pki/parseCertificate.ts';
import type { Finding } from '../findings/Finding.ts';


/**
 * One certificate's revocation outcome. Never "good" by default: what was not checked says so.
 * `stale`: the only CRL found cannot speak for the verification time: it had expired by then,
 * or it was issued after it (thisUpdate later than the verification time, "not yet valid").
 */
export interface CrlResult {
  subject: string;
  status: 'checked' | 'revoked' | 'stale' | 'unreachable' | 'skipped' | 'no-crl';
  detail: string;
}

/** Pluggable revocation checking (RFC 5280 §6.3): offline, fetching, or a test's own. */
export interface CrlChecker {
  name: string;
  check(chain: ParsedCertificate[], issuers: X509Certificate[], at: Date): Promise<CrlResult[]>;
}

/** Where CRL bytes come from, given a distribution point URL. Throws `NotHeld` when it has no copy and did not try. */
export interface CrlSource {
  name: string;
  get(url: string): Promise<Uint8Array>;
}

export class NotHeld extends Error {}

const MAX_CRL_BYTES = 16 * 1024 * 1024;

/**
 * CRLs shipped with the harness (conformance/trust/crl/<host>/<path>, see its README): the
 * FIDO conformance tool's MDS3 PKI, whose distribution points are no longer online.
 */
export const bundledCrlDir = () => `${packagePath('conformance', 'trust', 'crl')}${path.sep}`;

export function bundledCrlSource(dir = bundledCrlDir()): CrlSource {
  return {
    name: 'bundled',
    async get(url) {
      const u = new URL(url);
      const file = path.join(dir, u.hostname, ...u.pathname.split('/').filter((s) => s && s !== '..'));
      if (!file.startsWith(dir) || !fs.existsSync(file)) throw new NotHeld('no bundled copy');
      return new Uint8Array(fs.readFileSync(file));
    },
  };
}

/** A folder of CRLs named like the last path segment of each distribution point (…/crl/MDSCA-1.crl -> MDSCA-1.crl). */
export function directoryCrlSource(dir: string): CrlSource {
  return {
    name: `directory ${dir}`,
    async get(url) {
      const name = path.basename(new URL(url).pathname);
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).size > MAX_CRL_BYTES) throw new Error(`${file} is larger than ${MAX_CRL_BYTES} bytes`);
        return new Uint8Array(fs.readFileSync(file));
      } catch (e) {
        throw new Error(`no ${name} in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    },
  };
}

export function networkCrlSource(o: { fetch?: typeof fetch; timeoutMs?: number } = {}): CrlSource {
  const f = o.fetch ?? fetch;
  return {
    name: 'fetch',
    async get(url) {
      let res: Response;
      try {
        res = await f(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
      } catch (e) {
        throw new Error((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bytes = await readCapped(res, MAX_CRL_BYTES);
      if (!bytes) throw new Error(`larger than ${MAX_CRL_BYTES} bytes (the download was stopped)`);
      return bytes;
    },
  };
}

function crlUrls(c: ParsedCertificate): string[] {
  const x509 = peculiarX509();
  try {
    const ext = new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>).getExtension(x509.CRLDistributionPointsExtension);
    return (ext?.distributionPoints ?? []).flatMap((dp) => (dp.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier).filter((u): u is string => !!u && /^https?:/i.test(u)));
  } catch {
    return [];
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Parse, authenticate (signed by the certificate's issuer) and read one CRL for one certificate as of `at`. */
async function judge(bytes: Uint8Array, c: ParsedCertificate, issuer: X509Certificate | undefined, at: Date, where: string): Promise<CrlResult> {
  const x509 = peculiarX509();
  const text = Buffer.from(bytes).toString('latin1');
  const crl = text.startsWith('-----BEGIN') ? new x509.X509Crl(text) : new x509.X509Crl(bytes as Uint8Array<ArrayBuffer>);
  if (!issuer || !(await crl.verify({ publicKey: new x509.X509Certificate(issuer.raw as Uint8Array<ArrayBuffer>) }))) throw new Error('the CRL is not signed by the certificate\'s issuer');
  const validity = `thisUpdate ${day(crl.thisUpdate)}${crl.nextUpdate ? `, nextUpdate ${day(crl.nextUpdate)}` : ''}`;
  // RFC 5280 §5.1.2.4: a CRL speaks from its thisUpdate on; for an earlier verification time it says nothing
  if (crl.thisUpdate > at) {
    return { subject: c.subject, status: 'stale', detail: `the CRL is not yet valid at ${at.toISOString()} (${where}, ${validity}): issued after the verification time, so it is not used for it; revocation unknown` };
  }
  const entry = crl.findRevoked(new x509.X509Certificate(c.der as Uint8Array<ArrayBuffer>));
  // a listed revocation stays true after the CRL expires (RFC 5280 §3.3); only "not listed" needs a current CRL
  if (entry && entry.revocationDate <= at) {
    const reason = entry.reason !== undefined ? `, reason ${x509.X509CrlReason[entry.reason] ?? entry.reason}` : '';
    return { subject: c.subject, status: 'revoked', detail: `serial ${c.x509.serialNumber} revoked ${entry.revocationDate.toISOString()}${reason} (${where})` };
  }
  if (crl.nextUpdate && crl.nextUpdate < at) {
    return { subject: c.subject, status: 'stale', detail: `not listed, but the CRL had expired by ${at.toISOString()} (${where}, ${validity}): revocation unknown` };
  }
  return { subject: c.subject, status: 'checked', detail: `not revoked (${where}, ${validity})` };
}

/**
 * Checks each certificate against its CRL distribution points, trying the sources in order
 * (e.g. the network, then the bundled copy). A revocation or a current CRL decides; a stale
 * CRL is kept only if nothing better turns up.
 */
export function crlChecker(sources: CrlSource[]): CrlChecker {
  return {
    name: sources.map((s) => s.name).join(', then ') || 'skipped',
    async check(chain, issuers, at) {
      const out: CrlResult[] = [];
      for (const [i, c] of chain.entries()) {
        const urls = crlUrls(c);
        if (!urls.length) {
          out.push({ subject: c.subject, status: 'no-crl', detail: 'the certificate names no CRL distribution point' });
          continue;
        }
        const issuer = chain[i + 1]?.x509 ?? issuers.find((r) => c.x509.issuer === r.subject && (() => { try { return c.x509.verify(r.publicKey); } catch { return false; } })());
        let decided: CrlResult | undefined;
        let stale: CrlResult | undefined;
        const failures: string[] = [];
        const notHeld: string[] = [];
        for (const source of sources) {
          for (const url of urls) {
            try {
              const r = await judge(await source.get(url), c, issuer, at, `${url}, ${source.name}`);
              if (r.status === 'stale') stale ??= r;
              else decided = r;
            } catch (e) {
              (e instanceof NotHeld ? notHeld : failures).push(`${url} (${source.name}): ${(e as Error).message}`);
            }
            if (decided) break;
          }
          if (decided) break;
        }
        if (decided) out.push(decided);
        else if (stale) out.push(failures.length ? { ...stale, detail: `${stale.detail}; no current CRL: ${failures.join('; ')}` } : stale);
        else if (!failures.length) out.push({ subject: c.subject, status: 'skipped', detail: `${notHeld.join('; ') || 'no CRL source'}${sources.some((s) => s.name === 'fetch') ? '' : ' (--crl fetch fetches it)'}` });
        else out.push({ subject: c.subject, status: 'unreachable', detail: `revocation unknown: ${[...failures, ...notHeld].join('; ')}` });
      }
      return out;
    },
  };
}

export const SKIP_CRL: CrlChecker = {
  name: 'skipped',
  async check(chain) {
    return chain.map((c) => ({ subject: c.subject, status: 'skipped' as const, detail: 'CRL checking is off (--crl bundled or --crl fetch turns it on)' }));
  },
};

/** Offline and deterministic: only the CRLs shipped with the harness. The default. */
export const bundledCrlChecker = (dir?: string): CrlChecker => crlChecker([bundledCrlSource(dir)]);

/** The distribution points over the network; the bundled copy when the network has none. */
export const fetchingCrlChecker = (o: { fetch?: typeof fetch; timeoutMs?: number } = {}): CrlChecker => crlChecker([networkCrlSource(o), bundledCrlSource()]);

/** CRLs captured into a folder (offline CI); the bundled copy for the rest. */
export const directoryCrlChecker = (dir: string): CrlChecker => crlChecker([directoryCrlSource(dir), bundledCrlSource()]);

/** `--crl skip|bundled|fetch|dir:FOLDER` */
export function crlCheckerFor(spec: string, o: { fetch?: typeof fetch } = {}): CrlChecker | undefined {
  if (spec === 'skip') return SKIP_CRL;
  if (spec === 'bundled') return bundledCrlChecker();
  if (spec === 'fetch') return fetchingCrlChecker(o);
  if (spec.startsWith('dir:') && spec.length > 4) return directoryCrlChecker(spec.slice(4));
  return undefined;
}

const FINDING_STATUS: Record<CrlResult['status'], Finding['status']> = { revoked: 'fail', unreachable: 'warn', stale: 'warn', checked: 'pass', skipped: 'skip', 'no-crl': 'skip' };

/** Findings after which the chain's CRLs mean nothing (a CRL is only as good as the issuer that signed it). */
const UNTRUSTED_CHAIN = new Set(['CERT_PARSE', 'MDS_JWS_X5C', 'CHAIN_LINK', 'CHAIN_ISSUER_IS_CA', 'MDS_CHAIN_TRUSTED']);

/** Add the revocation outcome of the BLOB's signing chain to its findings (a revoked signer fails it). */
export async function checkBlobRevocation(blob: Pick<MetadataBlob, 'findings' | 'verified' | 'verifiedAt'>, chain: ParsedCertificate[], roots: X509Certificate[], checker: CrlChecker): Promise<CrlResult[]> {
  const broken = blob.findings.find((f) => f.status === 'fail' && UNTRUSTED_CHAIN.has(f.code));
  const results = broken
    ? chain.map((c) => ({ subject: c.subject, status: 'skipped' as const, detail: `the chain itself does not verify (${broken.code})` }))
    : await checker.check(chain, roots, blob.verifiedAt);
  for (const r of results) {
    blob.findings.push({
      code: 'MDS_CRL',
      status: FINDING_STATUS[r.status],
      spec: 'FIDO MDS 3.0 §3.2 step 5; RFC 5280 §6.3',
      message: `${r.subject}: ${r.status === 'no-crl' ? 'no CRL to check' : r.status}: ${r.detail}`,
    });
  }
  blob.verified = blob.findings.every((x) => x.status !== 'fail');
  return results;
}
