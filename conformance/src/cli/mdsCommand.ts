import fs from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { builtinAnchors } from '../pki/TrustAnchors.ts';
import { oneOf, parseCommandArgs, parseTime, readPemCertificates, readTenantProfiles } from './args.ts';
import { loadMetadataBlob, type MetadataBlob, type MetadataEntry, type MetadataStatusReport } from '../mds/MetadataBlob.ts';
import { openMetadata, updateMetadata, defaultCacheDir, OFFICIAL_MDS_URL, type SourceOptions } from '../mds/MetadataSource.ts';
import { certificationDetails, interpretStatus } from '../mds/interpretStatus.ts';
import { predictPasskeyProfiles, type PasskeyFacts, type PasskeyProfilePrediction, type PasskeyProfilesPrediction } from '../mds/passkeyProfiles.ts';
import { entraEligibility, ENTRA_CRITERIA, type EntraVerdict } from '../mds/entraEligibility.ts';
import { lintStatement } from '../mds/lintStatement.ts';
import { bundledCrlChecker, checkBlobRevocation, crlCheckerFor, type CrlChecker } from '../mds/crl.ts';
import { palette, wantsColour } from '../terminal/palette.ts';

export const MDS_USAGE = `usage: fido2-harness mds <subcommand> [options]

subcommands:
  update                 download the BLOB (default: the official ${OFFICIAL_MDS_URL}) into the cache
  verify                 verify a BLOB; exit 0 only when it verifies
  show <aaguid>          one entry: description, status as of --at, capabilities, roots
  search <text>          entries whose description, AAGUID, AAID or key identifier contains the text
  eligible               every FIDO2 key evaluated against Microsoft Entra's attestation criteria,
                         printed as Microsoft prints its table (Description, AAGUID, Bio, USB, NFC, BLE)
  lint <statement.json>  check a draft metadata statement (or a whole BLOB entry) against the Metadata
                         Statement 3.1 schema, MDS 3.1 status reports and Entra's criteria

options:
  --blob <file|url>      the BLOB (default: the cached official BLOB; "mds update" fills the cache)
  --at <time>            verification time (default: the BLOB's own validity window)
  --root <pem>           root the BLOB must chain to (default: GlobalSign roots of the FIDO MDS)
  --crl <bundled|fetch|dir:FOLDER|skip>
                         where the BLOB signing chain's CRLs come from: the copies shipped with the
                         harness (default; offline), the network, or a folder of files named like the
                         distribution point (fetch and dir: fall back to the shipped copies); the
                         outcome per certificate is always reported
  --timeout <seconds>    update: how long the download may take, headers and body (default 30)
  --cache-dir <dir>      cache location (default: $FIDO2_HARNESS_CACHE or ~/.cache/fido2-harness/mds)
  --json                 machine-readable output (show, search, verify, lint)
  --format <f>           eligible: table (default), csv, md or json
  --why                  eligible: also list ineligible keys with the criterion they fail
  --tenant-profile FILE  eligible: a tenant's Entra passkey profiles (Microsoft Graph JSON); every key
                         gets one column per profile: would registration be accepted, and why not
  --no-color             plain output

exit: 0 ok, 1 the BLOB or statement has problems (verify, lint) or nothing matched (show), 2 bad input or usage
`;

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: () => Date;
}

const yes = (b: boolean, md: boolean) => (md ? (b ? '✅' : '❌') : b ? 'Yes' : 'No');
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function mdsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    (sub ? io.out : io.err).write(MDS_USAGE);
    return sub ? 0 : 2;
  }
  const { values: v, positionals: positional } = parseCommandArgs(rest, {
    blob: { type: 'string' },
    at: { type: 'string' },
    root: { type: 'string', multiple: true },
    'cache-dir': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    'tenant-profile': { type: 'string' },
    why: { type: 'boolean' },
    crl: { type: 'string' },
    'no-color': { type: 'boolean' },
    format: { type: 'string' },
  }, MDS_USAGE);
  if (v.help) {
    io.out.write(MDS_USAGE);
    return 0;
  }
  const blobSpec = v.blob;
  const at = v.at === undefined ? undefined : parseTime(v.at);
  const roots: X509Certificate[] | undefined = v.root ? v.root.flatMap(readPemCertificates) : undefined;
  const cacheDir = v['cache-dir'] ?? defaultCacheDir(io.env);
  const json = !!v.json;
  const why = !!v.why;
  const format = v.format === undefined ? 'table' : oneOf(v.format, ['table', 'csv', 'md', 'json'] as const, '--format');
  let crl: CrlChecker = bundledCrlChecker();
  if (v.crl !== undefined) {
    const c = crlCheckerFor(v.crl, { fetch: io.fetch });
    if (!c) throw new HarnessError('BAD_USAGE', `--crl must be bundled, fetch, dir:<folder> or skip, not ${JSON.stringify(v.crl)}`);
    crl = c;
  }
  const colour = !v['no-color'] && wantsColour(io.out, io.env);
  const p = palette(colour);
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    if (!/^\d{1,4}(\.\d+)?$/.test(v.timeout) || Number(v.timeout) <= 0) throw new HarnessError('BAD_USAGE', `--timeout must be seconds (e.g. 30), not ${JSON.stringify(v.timeout)}`);
    timeoutMs = Number(v.timeout) * 1000;
  }
  const o: SourceOptions = { cacheDir, fetch: io.fetch, now: io.now, roots, at, crl, timeoutMs };
  const when = () => at ?? io.now?.() ?? new Date();
  const open = async () => {
    const m = await openMetadata(blobSpec, o);
    if (!json && format !== 'json') io.err.write(`MDS: ${m.note}; BLOB no ${m.blob.no} verified as of ${m.blob.verifiedAt.toISOString()} (${m.blob.verifiedAtBasis})${m.blob.findings.filter((f) => f.status === 'warn').map((f) => `; ${f.message}`).join('')}\n`);
    return m.blob;
  };

  switch (sub) {
    case 'update': {
      const m = await updateMetadata(blobSpec ?? OFFICIAL_MDS_URL, o);
      io.out.write(`${m.note}\n`);
      // a BLOB that verifies but is past its nextUpdate (or has another warning) is said so, every time
      for (const f of m.blob.findings.filter((x) => x.status === 'warn')) if (!m.note.includes(f.message)) io.err.write(`warning: ${f.message}\n`);
      return 0;
    }
    case 'verify': {
      let blob: MetadataBlob;
      if (blobSpec && !/^https?:/i.test(blobSpec)) {
        let text: string;
        try {
          text = fs.readFileSync(blobSpec, 'utf8');
        } catch (e) {
          throw new HarnessError('BAD_INPUT', `cannot read MDS BLOB ${blobSpec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const anchors = roots ?? builtinAnchors('mds');
        blob = loadMetadataBlob(text, anchors, { at, now: io.now?.() });
        await checkBlobRevocation(blob, blob.chain, anchors, crl);
      } else {
        blob = await open();
      }
      if (json) io.out.write(`${JSON.stringify({ verified: blob.verified, no: blob.no, nextUpdate: blob.nextUpdate, entries: blob.entries.length, verifiedAt: blob.verifiedAt, verifiedAtBasis: blob.verifiedAtBasis, crl: crl.name, findings: blob.findings }, null, 2)}\n`);
      else {
        io.out.write(`BLOB no ${blob.no}, nextUpdate ${blob.nextUpdate}, ${blob.entries.length} entries: ${blob.verified ? p.green('VERIFIED') : p.red('NOT VERIFIED')} as of ${blob.verifiedAt.toISOString()} (${blob.verifiedAtBasis})\n`);
        for (const f of blob.findings) io.out.write(`  ${f.status === 'pass' ? p.green('pass') : f.status === 'fail' ? p.red('FAIL') : p.yellow(f.status)}  ${f.code}  ${f.message}${f.status === 'fail' && f.expected ? ` (expected ${f.expected}, got ${f.actual})` : ''}\n`);

      }
      return blob.verified ? 0 : 1;
    }
    case 'show': {
      const id = positional[0];
      if (!id) throw new HarnessError('BAD_USAGE', 'mds show needs an AAGUID (or AAID, or attestation key identifier)');
      const blob = await open();
      const key = id.toLowerCase();
      const e = blob.byAaguid.get(key) ?? blob.byAaid.get(key) ?? blob.byKeyId.get(key);
      if (!e) {
        io.err.write(`no entry for ${id} in BLOB no ${blob.no}\n`);
        return 1;
      }
      const status = interpretStatus(e, when());
      const entra = entraEligibility(e, when());
      if (json) io.out.write(`${JSON.stringify({ entry: e, status, entra }, null, 2)}\n`);
      else io.out.write(`${renderEntry(e, status, entra, p, when())}\n`);
      return 0;
    }
    case 'search': {
      const text = positional.join(' ').toLowerCase();
      if (!text) throw new HarnessError('BAD_USAGE', 'mds search needs some text');
      const blob = await open();
      const hits = blob.entries.filter((e) => [e.metadataStatement?.description, e.aaguid, e.aaid, ...(e.attestationCertificateKeyIdentifiers ?? [])].some((s) => s?.toLowerCase().includes(text)));
      if (json) io.out.write(`${JSON.stringify(hits.map((e) => ({ aaguid: e.aaguid, aaid: e.aaid, attestationCertificateKeyIdentifiers: e.attestationCertificateKeyIdentifiers, description: e.metadataStatement?.description, status: interpretStatus(e, when()).decisive?.status })), null, 2)}\n`);
      else for (const e of hits) io.out.write(`${(e.aaguid ?? e.aaid ?? e.attestationCertificateKeyIdentifiers?.[0] ?? '?').padEnd(40)} ${e.metadataStatement?.description ?? ''}  ${p.dim(interpretStatus(e, when()).decisive?.status ?? '')}\n`);
      if (!json) io.err.write(`${hits.length} match(es)\n`);
      return 0;
    }
    case 'eligible': {
      const blob = await open();
      const all = blob.entries.map((e) => ({ e, v: entraEligibility(e, when()) }));
      const tenant = readTenantProfiles(v['tenant-profile']);
      // with profiles, a key a profile without enforced attestation accepts is shown too
      const predict = (e: MetadataEntry, x: EntraVerdict) => (tenant ? predictPasskeyProfiles(tenant.profiles, metadataFacts(e, x), tenant.source) : undefined);
      const rows = all.map((x) => ({ ...x, p: predict(x.e, x.v) }));
      const shown = rows.filter((x) => x.v.eligible || why || x.p?.registration === 'accepted').sort((a, b) => a.v.row.description.localeCompare(b.v.row.description));
      io.out.write(`${renderEligible(shown.map((x) => ({ ...x.v, profiles: x.p })), format, why)}\n`);
      if (format !== 'json') io.err.write(`${all.filter((x) => x.v.eligible).length} of ${all.length} entries meet Microsoft Entra's attestation-enforced criteria (BLOB no ${blob.no}, as of ${when().toISOString().slice(0, 10)})\n`);
      return 0;
    }
    case 'lint': {
      const file = positional[0];
      if (!file) throw new HarnessError('BAD_USAGE', 'mds lint needs a statement.json');
      let statement: unknown;
      try {
        statement = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new HarnessError(code ? 'BAD_INPUT' : 'BAD_JSON', code ? `cannot read ${file}: ${code}` : `${file} is not JSON: ${(e as Error).message}`);
      }
      // a whole BLOB entry is accepted too: lint its statement
      const whole = typeof statement === 'object' && statement !== null && 'metadataStatement' in statement;
      const ms = whole ? (statement as { metadataStatement: unknown }).metadataStatement : statement;
      const findings = lintStatement(ms, when(), whole ? (statement as { statusReports?: unknown }).statusReports : undefined);
      const failed = findings.some((f) => f.status === 'fail');
      if (json) io.out.write(`${JSON.stringify({ ok: !failed, findings }, null, 2)}\n`);
      else if (!findings.length) io.out.write(`${p.green('no problems found')}: the statement matches the Metadata Statement 3.1 schema and Microsoft Entra's criteria\n`);
      else for (const f of findings) io.out.write(`${f.status === 'fail' ? p.red('FAIL') : p.yellow('WARN')}  ${f.code}  ${f.message}\n      fix: ${f.fix}\n`);
      return failed ? 1 : 0;
    }
    default:
      throw new HarnessError('BAD_USAGE', `unknown mds subcommand "${sub}"\n${MDS_USAGE}`);
  }
}

/** The MDS 3.1 certification details of the certification reports: profiles, sunset, FIPS. */
function certificationLines(reports: MetadataStatusReport[], at: Date): string[] {
  return reports.map((r) => [r, certificationDetails(r, at)] as const).filter(([, d]) => d).map(([r, d]) => `  ${r.status.padEnd(17).slice(0, 17)} ${d.slice(2, -1)}`);
}

function renderEntry(e: MetadataEntry, status: ReturnType<typeof interpretStatus>, entra: EntraVerdict, p: ReturnType<typeof palette>, at: Date): string {
  const ms = e.metadataStatement ?? {};
  const gi = (ms.authenticatorGetInfo ?? {}) as Record<string, unknown>;
  const lines = [
    p.bold(String(ms.description ?? '(no description)')),
    `  AAGUID            ${e.aaguid ?? '-'}${e.aaid ? `   AAID ${e.aaid}` : ''}`,
    `  status            ${status.compromised ? p.red(`${status.compromised.status} since ${status.compromised.effectiveDate}`) : status.certified ? p.green(`${status.level} (since ${status.decisive?.effectiveDate ?? '?'})`) : p.yellow(status.decisive?.status ?? 'no status reports')}`,
    ...(ms.friendlyNames ? [`  friendly names    ${Object.entries(ms.friendlyNames).map(([k, v]) => `${k}: ${v}`).join('; ')}`] : []),
    ...certificationLines(e.statusReports ?? [], at),
    `  multi-device      ${ms.multiDeviceCredentialSupport ?? 'unsupported (not stated: MDS 3.1 default)'}`,
    ...(['icon', 'iconDark', 'providerLogoLight', 'providerLogoDark'].some((k) => ms[k]) ? [`  images            ${['icon', 'iconDark', 'providerLogoLight', 'providerLogoDark'].filter((k) => ms[k]).join(', ')}`] : []),
    ...(ms.cxConfigURL ? [`  cxConfigURL       ${String(ms.cxConfigURL)}`] : []),
    `  attestation       ${JSON.stringify(ms.attestationTypes ?? [])}, ${(ms.attestationRootCertificates ?? []).length} root(s)`,
    `  algorithms        ${(ms.authenticationAlgorithms ?? []).join(', ')}`,
    `  getInfo versions  ${JSON.stringify(gi.versions ?? [])}`,
    `  getInfo options   ${JSON.stringify(gi.options ?? {})}`,
    `  extensions        ${JSON.stringify(gi.extensions ?? [])}`,
    `  transports        ${JSON.stringify(gi.transports ?? ms.attachmentHint ?? [])}`,
    `  Entra (attestation enforced): ${entra.eligible ? p.green('eligible') : p.red('not eligible')}`,
    ...entra.failed.map((f) => `    - ${f.criterion}: ${ENTRA_CRITERIA[f.criterion]} (${f.why})`),
  ];
  return lines.join('\n');
}

/**
 * What a metadata entry says for a passkey-profile prediction: synced from multiDeviceCredentialSupport
 * (MDS 3.1; absent is "unsupported": device-bound; "explicit" leaves it to each credential's BE),
 * enforced attestation from Entra's vendor criteria; the format rule for unenforced attestation is
 * the key's to show in a run (a statement says nothing of it), so it is not held against the entry.
 */
function metadataFacts(e: MetadataEntry, v: EntraVerdict): PasskeyFacts {
  const mdcs = e.metadataStatement?.multiDeviceCredentialSupport ?? 'unsupported';
  return { aaguid: e.aaguid, synced: mdcs === 'explicit' ? undefined : mdcs === 'implicit', enforcedProblems: v.failed.map((f) => `${f.criterion} (${f.why})`), unenforcedProblems: e.aaguid ? [] : ['not a FIDO2 authenticator (no AAGUID)'] };
}

function renderEligible(rows: (EntraVerdict & { profiles?: PasskeyProfilesPrediction })[], format: string, why: boolean): string {
  const names = rows[0]?.profiles?.profiles.map((x) => x.name) ?? [];
  const cols = ['Description', 'AAGUID', 'Bio', 'USB', 'NFC', 'BLE', ...(why ? ['Eligible', 'Failed criteria'] : []), ...names.map((n) => `Profile ${n}`)];
  const profileCell = (x: PasskeyProfilePrediction) => `${x.registration.verdict}${why && x.registration.reasons.length ? ` (${x.registration.reasons.join('; ')})` : ''}`;
  const cells = (v: EntraVerdict & { profiles?: PasskeyProfilesPrediction }, md: boolean) => [v.row.description, v.row.aaguid, yes(v.row.bio, md), yes(v.row.usb, md), yes(v.row.nfc, md), yes(v.row.ble, md), ...(why ? [yes(v.eligible, md), v.failed.map((f) => `${f.criterion} (${f.why})`).join('; ')] : []), ...(v.profiles?.profiles.map(profileCell) ?? [])];
  if (format === 'json') return JSON.stringify(rows.map((v) => ({ ...v.row, eligible: v.eligible, failed: v.failed, ...(v.profiles ? { passkeyProfiles: v.profiles } : {}) })), null, 2);
  if (format === 'csv') return [cols.join(','), ...rows.map((v) => cells(v, false).map(csvCell).join(','))].join('\n');
  if (format === 'md') {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((v) => `| ${cells(v, true).map(esc).join(' | ')} |`)].join('\n');
  }
  const all = [cols, ...rows.map((v) => cells(v, false))];
  const w = cols.map((_, i) => Math.min(60, Math.max(...all.map((r) => r[i]!.length))));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.slice(0, w[i]).padEnd(w[i]!))).join('  ')).join('\n');
}
