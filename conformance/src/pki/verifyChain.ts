import type { X509Certificate } from 'node:crypto';
import { parseCertificate, type ParsedCertificate } from './parseCertificate.ts';
import type { Finding } from '../findings/Finding.ts';

export interface ChainVerdict {
  findings: Finding[];
  /** the anchor the path ends at, when one matched */
  anchor?: X509Certificate;
  trusted: boolean;
}

const iso = (d: Date) => d.toISOString();

/**
 * Certificate path validation with node:crypto (WebAuthn L3 §7.1 step 22, RFC 5280 §6 in
 * the parts that matter here): every certificate valid at `at`, each signed by the next,
 * every issuer a CA, and the last one issued by (or equal to) a trust anchor valid at `at`.
 * One finding per rule; a chain with no anchor to compare against is a warning, not a pass.
 */
export interface ChainOptions {
  /** the verification time: every certificate and the anchor must be valid then */
  at: Date;
  /** the spec step the trust finding cites */
  spec?: string;
  /** how a chain that reaches no anchor is reported: a warning (attestation, RP policy) or a failure (MDS) */
  untrusted?: 'warn' | 'fail';
}

export function verifyChain(path: readonly ParsedCertificate[], anchors: readonly X509Certificate[], o: ChainOptions): ChainVerdict {
  const { at, spec = 'WebAuthn L3 §7.1 step 22', untrusted: untrustedStatus = 'warn' } = o;
  const findings: Finding[] = [];
  if (path.length === 0) return { findings, trusted: false };
  path.forEach((c, i) => {
    const ok = c.notBefore <= at && at <= c.notAfter;
    findings.push({
      code: 'CERT_VALIDITY',
      status: ok ? 'pass' : 'fail',
      spec: 'RFC 5280 §4.1.2.5',
      message: `x5c[${i}] (${c.subject || 'empty subject'}) is valid at the verification time`,
      evidence: `x5c[${i}] SHA-256 ${c.sha256}`,
      ...(ok ? {} : { expected: `${iso(c.notBefore)} <= ${iso(at)} <= ${iso(c.notAfter)}`, actual: at < c.notBefore ? 'not yet valid' : 'expired' }),
    });
  });
  let linksOk = true;
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i]!;
    const parent = path[i + 1]!;
    const named = namesMatch(child, parent);
    const signed = named && safeVerify(child.x509, parent.x509);
    const isCA = parent.basicConstraints?.ca === true;
    linksOk &&= signed && isCA;
    findings.push({
      code: 'CHAIN_LINK',
      status: signed ? 'pass' : 'fail',
      spec: 'RFC 5280 §6.1.3 (a)(1), (a)(4)',
      message: `x5c[${i}] is issued and signed by x5c[${i + 1}]`,
      evidence: `x5c[${i}] SHA-256 ${child.sha256}; x5c[${i + 1}] SHA-256 ${parent.sha256}`,
      ...(signed
        ? {}
        : named
          ? { expected: `a signature by the key of x5c[${i + 1}] (${parent.subject})`, actual: 'the signature does not verify with that key' }
          : { expected: `x5c[${i}]'s issuer name equal to x5c[${i + 1}]'s subject, ${parent.subject}`, actual: `x5c[${i}]'s issuer is ${child.issuer}` }),
    });
    if (signed) pushKeyIdWarning(findings, child, parent, `x5c[${i}]`, `x5c[${i + 1}]`);
    findings.push({
      code: 'CHAIN_ISSUER_IS_CA',
      status: isCA ? 'pass' : 'fail',
      spec: 'RFC 5280 §4.2.1.9',
      message: `x5c[${i + 1}] (issuer) has basicConstraints CA=true`,
      ...(isCA ? {} : { expected: 'CA=true', actual: parent.basicConstraints ? 'CA=false' : 'no basicConstraints' }),
    });
  }
  const last = path[path.length - 1]!;
  if (anchors.length === 0) {
    findings.push({ code: 'ATT_CHAIN_TRUSTED', status: 'warn', spec, message: 'no trust anchor is known for this authenticator (give the MDS BLOB that lists it, or its root: inspect --mds / --roots)' });
    return { findings, trusted: false };
  }
  let anchor: X509Certificate | undefined;
  for (const a of anchors) {
    const same = a.fingerprint256 === last.x509.fingerprint256;
    let parsedAnchor: ParsedCertificate | undefined;
    try {
      parsedAnchor = parseCertificate(new Uint8Array(a.raw), 'trust anchor');
    } catch {
      parsedAnchor = undefined;
    }
    if (same || ((parsedAnchor ? namesMatch(last, parsedAnchor) : last.x509.issuer === a.subject) && safeVerify(last.x509, a))) {
      anchor = a;
      if (!same && parsedAnchor) pushKeyIdWarning(findings, last, parsedAnchor, `x5c[${path.length - 1}]`, 'the trust anchor');
      break;
    }
  }
  const anchorValid = anchor ? new Date(anchor.validFrom) <= at && at <= new Date(anchor.validTo) : false;
  const trusted = !!anchor && anchorValid && linksOk && findings.every((f) => f.status !== 'fail');
  findings.push({
    code: 'ATT_CHAIN_TRUSTED',
    // An untrusted chain is RP policy, not a broken statement (WebAuthn L3 §7.1 steps 23-24:
    // the RP SHOULD fail, or MAY treat it as self attestation). Reported as a warning here;
    // the Microsoft checks that demand a chain to the MDS root make it a failure there.
    status: anchor && anchorValid ? 'pass' : untrustedStatus,
    spec,
    message: anchor ? `the chain ends at trust anchor "${(anchor.subject ?? '').replace(/\n/g, ', ')}"` : 'the chain ends at a known trust anchor',
    ...(anchor && anchorValid
      ? {}
      : anchor
        ? { expected: `anchor valid at ${iso(at)}`, actual: `anchor valid ${anchor.validFrom} to ${anchor.validTo}` }
        : { expected: `issuer among ${anchors.length} anchor(s)`, actual: `last certificate issued by ${last.issuer}` }),
  });
  return { findings, anchor, trusted };
}

/** RFC 5280 §4.2.1.1: the AKI helps find the issuer; it is not part of path validation (§6.1.3): a mismatch is a warning. */
function pushKeyIdWarning(findings: Finding[], child: ParsedCertificate, parent: ParsedCertificate, childName: string, parentName: string) {
  if (!child.authorityKeyId || !parent.subjectKeyId || child.authorityKeyId === parent.subjectKeyId) return;
  findings.push({
    code: 'CHAIN_KEY_IDENTIFIER',
    status: 'warn',
    spec: 'RFC 5280 §4.2.1.1, §4.2.1.2',
    message: `${childName}'s authority key identifier differs from ${parentName}'s subject key identifier (the signature verifies: path validation does not depend on it, but tools that build paths by key identifier will not find the issuer)`,
    expected: parent.subjectKeyId,
    actual: child.authorityKeyId,
  });
}

/**
 * RFC 5280 §6.1.3 (a)(4), §7.1: the child's issuer Name matches the parent's subject Name. Equal
 * DER matches; otherwise node's (OpenSSL's) one-line rendering of the two names, which compares
 * attribute by attribute after decoding each string type, stands in for the §7.1 comparison.
 */
export function namesMatch(child: ParsedCertificate, parent: ParsedCertificate): boolean {
  const a = child.issuerDer;
  const b = parent.subjectDer;
  if (a.length === b.length && a.every((x, i) => x === b[i])) return true;
  return child.x509.issuer === parent.x509.subject;
}

const verified = new Map<string, boolean>();

/**
 * Whether `issuer`'s key signed `child`. A fact about two immutable byte strings, so it is
 * remembered (bounded): batch attestation repeats the same links across many registrations.
 */
function safeVerify(child: X509Certificate, issuer: X509Certificate): boolean {
  const key = `${child.fingerprint256}>${issuer.fingerprint256}`;
  let ok = verified.get(key);
  if (ok === undefined) {
    try {
      ok = child.verify(issuer.publicKey);
    } catch {
      ok = false;
    }
    if (verified.size >= 8192) verified.delete(verified.keys().next().value as string);
    verified.set(key, ok);
  }
  return ok;
}
