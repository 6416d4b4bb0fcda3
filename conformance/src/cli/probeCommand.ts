import { HarnessError } from '../errors/HarnessError.ts';
import { parseCommandArgs, readPemCertificates } from './args.ts';
import { deviceFromArgs, DEVICE_HELP, DEVICE_OPTIONS } from './deviceArgs.ts';
import { metadataFromArgs } from './metadataArgs.ts';
import { GET_INFO_MEMBERS, getInfoToJson, type AuthenticatorInfo, type GetInfoMember } from '../ctap/ctap2/getInfo.ts';
import { compareGetInfo, getInfoDisagreements, type GetInfoComparison } from '../ctap/ctap2/compareGetInfo.ts';
import { describeOrigin } from '../mds/MetadataProvider.ts';
import { COSE_ALG_NAMES } from '../webauthn/coseKey.ts';
import { palette, wantsColour, type Palette } from '../terminal/palette.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';
import type { CliIo } from './main.ts';

export const PROBE_USAGE = `usage: fido2-harness probe [--device PATH|udp:HOST:PORT] [--json] [--mds BLOB]... [--mds-root PEM] [--statement FILE]...

Asks the key for authenticatorGetInfo (no PIN needed, nothing is changed on the key) and prints
it decoded: versions, extensions, AAGUID, options, maxMsgSize, PIN/UV auth protocols, algorithms,
transports, firmware version, certifications, remaining discoverable credentials... With
metadata (--mds: a BLOB; --statement: the draft statement you will submit), the entry for the
key's AAGUID and its authenticatorGetInfo compared with the key's own, member by member.

${DEVICE_HELP}
  --mds BLOB         MDS BLOB file(s) to find the key's entry in (verified first)
  --mds-root PEM     root the BLOB must chain to (default: the FIDO MDS GlobalSign roots)
  --statement FILE   a draft metadata statement, the entry of its AAGUID
  --json             machine-readable output
  --no-color         plain output

exit: 0 the key answered (and agrees with its metadata), 1 the key and its metadata differ,
2 the key cannot be reached, answers garbage, or answers a getInfo that breaks a MUST of
CTAP 2.1 §6.4 (versions or AAGUID missing, a member of the wrong type, not canonical CBOR),
or bad usage
`;

const fmt = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));

/** One getInfo member as a person reads it (every CTAP 2.3 member has a line when the key sends it). */
function showMember(member: GetInfoMember, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  switch (member) {
    case 'aaguid':
      return undefined; // shown as aaguidText
    case 'options':
      return Object.entries(v as Record<string, boolean>).map(([k, x]) => `${k}=${x}`).join(' ') || undefined;
    case 'algorithms':
      return (v as { alg: number }[]).map((a) => `${COSE_ALG_NAMES[a.alg] ?? a.alg}`).join(', ') || undefined;
    case 'firmwareVersion':
      return `${v} (0x${(v as number).toString(16)})`;
    case 'pinComplexityPolicyURL':
      return Buffer.from(v as Uint8Array).toString('utf8');
    case 'encIdentifier':
    case 'encCredStoreState':
      return `${Buffer.from(v as Uint8Array).toString('hex')} (encrypted: readable with the persistent token)`;
    case 'authenticatorConfigCommands':
    case 'vendorPrototypeConfigCommands':
      return (v as number[]).map((c) => `0x${c.toString(16)}`).join(', ') || undefined;
    default:
      if (Array.isArray(v)) return v.length ? v.join(', ') : undefined;
      return fmt(v);
  }
}

function renderInfo(info: AuthenticatorInfo, p: Palette): string[] {
  const rows: [string, unknown][] = [];
  for (const member of Object.keys(GET_INFO_MEMBERS) as GetInfoMember[]) {
    if (member === 'aaguid') rows.push(['AAGUID', info.aaguidText]);
    else rows.push([member, showMember(member, (info as unknown as Record<string, unknown>)[member])]);
  }
  const out = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `  ${k.padEnd(34)} ${fmt(v)}`);
  for (const [k, v] of Object.entries(info.unknown)) out.push(`  ${`member 0x${Number(k).toString(16)}`.padEnd(34)} ${p.dim('(unknown to this harness)')} ${fmt(v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)}`);
  for (const pr of info.problems) out.push(`  ${p.red('problem')}  ${pr}`);
  if (info.nonCanonical.length) out.push(`  ${p.yellow('warn')}  the answer is not CTAP2 canonical CBOR: ${info.nonCanonical.slice(0, 3).join('; ')}`);
  return out;
}

function renderComparison(c: GetInfoComparison[], p: Palette): string[] {
  const w = Math.max(8, ...c.map((x) => x.member.length));
  return c.map((x) => {
    const tag = x.verdict === 'same' ? p.green('same   ') : x.verdict === 'state' ? p.dim('setup  ') : p.red('DIFFERS');
    const detail = x.verdict === 'same' ? fmt(x.actual) : `declared ${fmt(x.declared)}, key says ${fmt(x.actual)}${x.note ? ` (${x.note})` : ''}`;
    return `  ${tag}  ${x.member.padEnd(w)}  ${detail}`;
  });
}

/** "CTAPHID 2, device 1.0.0" / "NFC, FIDO_2_0 applet": how the key was reached, in one phrase */
function describeLink(link: Record<string, unknown>): string {
  if (link.transport === 'CTAPHID') return `CTAPHID ${link.protocolVersion}, device ${link.deviceVersion}`;
  return Object.entries(link).map(([k, v]) => (k === 'transport' ? String(v) : `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`)).join(', ');
}

export async function probeCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi }): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, { ...DEVICE_OPTIONS, json: { type: 'boolean' }, mds: { type: 'string', multiple: true }, 'mds-root': { type: 'string', multiple: true }, statement: { type: 'string', multiple: true }, 'no-color': { type: 'boolean' } }, PROBE_USAGE);
  if (v.help) {
    io.out.write(PROBE_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${PROBE_USAGE}`);
  const metadata = await metadataFromArgs({ mds: v.mds, mdsRoots: (v['mds-root'] ?? []).flatMap(readPemCertificates), statements: v.statement, err: io.err, quiet: v.json });
  const device = await deviceFromArgs(v, { nodeHid: io.nodeHid });
  try {
    const p = palette(!v['no-color'] && !v.json && wantsColour(io.out, io.env));
    const link = device.connection.details();
    if (!device.info) {
      const version = device.ctap1 ? await device.ctap1.version() : undefined;
      if (v.json) io.out.write(`${JSON.stringify({ device: { transport: device.description, link }, ctap1: { version }, getInfo: null, agrees: null }, null, 2)}\n`);
      else io.out.write(`${p.bold(device.description)}: a CTAP1/U2F-only key (${version ?? 'no version'}): no authenticatorGetInfo to show\n`);
      return 0;
    }
    const info = device.info;
    const entry = metadata?.byAaguid(info.aaguidText);
    const comparison = entry ? compareGetInfo(entry.metadataStatement?.authenticatorGetInfo as Record<string, unknown> | undefined, info) : [];
    const disagreements = getInfoDisagreements(comparison);
    const agrees = entry ? disagreements.length === 0 : undefined;
    if (v.json) {
      io.out.write(`${JSON.stringify({
        device: { transport: device.description, link },
        // the AAGUID as everywhere else (8-4-4-4-12), not as statements write it
        getInfo: { ...getInfoToJson(info), aaguid: info.aaguidText },
        problems: info.problems,
        nonCanonical: info.nonCanonical,
        metadata: entry ? { aaguid: entry.aaguid, description: entry.metadataStatement?.description, origin: metadata!.originOf(entry) } : null,
        comparison,
        differences: disagreements.map((d) => d.member),
        agrees: agrees ?? null,
      }, null, 2)}\n`);
    } else {
      const lines = [`${p.bold(device.description)} (${describeLink(link)}${device.connection.supportsMsg ? ', U2F' : ''})`, 'authenticatorGetInfo:', ...renderInfo(info, p)];
      if (!metadata) lines.push(p.dim('no metadata given: --mds BLOB or --statement FILE compares getInfo with the key\'s statement'));
      else if (!entry) lines.push(p.yellow(`${metadata.description} has no entry for AAGUID ${info.aaguidText}`));
      else {
        lines.push(`metadata: "${entry.metadataStatement?.description ?? '?'}" (${describeOrigin(metadata.originOf(entry)).replace(/ (lists|describes)$/, '')})`, 'getInfo, declared vs the key:', ...renderComparison(comparison, p));
        lines.push(agrees ? p.green('the key answers as its metadata declares') : p.red(`the key and its metadata differ in ${disagreements.map((d) => d.member).join(', ')}: fix the statement (or the firmware) before submitting`));
      }
      io.out.write(`${lines.join('\n')}\n`);
    }
    // a getInfo that breaks a MUST: §6.4 (required members, their types), §8 (canonical CBOR)
    const broken = [...info.problems, ...info.nonCanonical.map((n) => `not CTAP2 canonical CBOR (§8): ${n}`)];
    if (broken.length) {
      io.err.write(`the key's authenticatorGetInfo breaks CTAP 2.1 §6.4: ${broken.join('; ')}\n`);
      return 2;
    }
    return agrees === false ? 1 : 0;
  } finally {
    await device.close();
  }
}
