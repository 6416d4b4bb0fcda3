import fs from 'node:fs';
import path from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { HarnessError } from '../errors/HarnessError.ts';
import { inspectInput, type InspectResult } from '../attestation/inspectInput.ts';
import { renderInspect, renderSummary, type SummaryRow } from './renderInspect.ts';
import { wantsColour } from '../terminal/palette.ts';
import { parseCommandArgs, parseTime, readPemCertificates, readTextFile } from './args.ts';
import { metadataFromArgs } from './metadataArgs.ts';

export const INSPECT_USAGE = `usage: fido2-harness inspect <file | directory | -> [options]

Decodes and verifies a RegistrationResponseJSON or AuthenticationResponseJSON, alone or
wrapped as {response, expectedChallenge, expectedOrigin, expectedRPID,
requireUserVerification, credentialPublicKey, counter, captureTime}. A directory: every
*.json file in it, with a summary table. "-" reads standard input.

options:
  --json              machine-readable output
  --at <time>         verification time (ISO 8601); default: the input's captureTime, else now
  --roots <pem>       extra trust anchors (a PEM file, may hold several; repeatable)
  --mds <blob>        take trust anchors and metadata from an MDS BLOB (repeatable: merged,
                      newest wins); each BLOB is verified as of its own validity window
  --mds-root <pem>    root the MDS BLOB must chain to (default: GlobalSign roots of the FIDO MDS)
  --statement <json>  a draft metadata statement, used as the MDS entry of its AAGUID (a key
                      not in MDS yet; repeatable; replaces a BLOB's entry for that AAGUID)
  --no-color          plain output even on a terminal

exit: 0 every input verified, 1 a verification failed, 2 bad input or usage
`;

const MAX_INPUT = 8 * 1024 * 1024;

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  readStdin: () => Promise<string>;
  now?: () => Date;
}

const readText = (file: string, what: string) => readTextFile(file, what, MAX_INPUT * 2);

function parseJson(text: string, name: string): unknown {
  if (text.length > MAX_INPUT) throw new HarnessError('BAD_INPUT', `${name} is ${text.length} bytes; a WebAuthn response is far smaller (limit ${MAX_INPUT})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HarnessError('BAD_JSON', `${name} is not JSON: ${(e as Error).message}`);
  }
}

export async function inspectCommand(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    at: { type: 'string' },
    roots: { type: 'string', multiple: true },
    mds: { type: 'string', multiple: true },
    'mds-root': { type: 'string', multiple: true },
    statement: { type: 'string', multiple: true },
  }, INSPECT_USAGE);
  if (v.help) {
    io.out.write(INSPECT_USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new HarnessError('BAD_USAGE', `one input at a time (got ${positionals.join(' and ')}); give a directory to inspect several`);
  const target = positionals[0];
  const json = !!v.json;
  const colour = !v['no-color'] && wantsColour(io.out, process.env);
  const at = v.at === undefined ? undefined : parseTime(v.at);
  const roots: X509Certificate[] = (v.roots ?? []).flatMap(readPemCertificates);
  const mdsFiles = v.mds ?? [];
  const mdsRoots = (v['mds-root'] ?? []).flatMap(readPemCertificates);
  const statementFiles = v.statement ?? [];
  if (target === undefined) throw new HarnessError('BAD_USAGE', `no input given\n${INSPECT_USAGE}`);

  const mds = await metadataFromArgs({ mds: mdsFiles, mdsRoots, statements: statementFiles, err: io.err, quiet: json, now: io.now?.() });
  const opts = { at, roots, mds, now: io.now };

  if (target !== '-' && fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const files = fs.readdirSync(target).filter((f) => f.endsWith('.json')).sort();
    if (!files.length) throw new HarnessError('BAD_INPUT', `${target} holds no .json files`);
    const rows: SummaryRow[] = [];
    const results: unknown[] = [];
    // the progress line lives on stderr and is cleared before anything goes to stdout, so on a
    // terminal (both on one screen) it never ends up inside the output
    const progress = io.err.isTTY && !json;
    const clear = () => progress && io.err.write('\r\x1b[K');
    for (const [i, f] of files.entries()) {
      if (progress) io.err.write(`\r\x1b[K[${i + 1}/${files.length}] ${f}`);
      try {
        const r = inspectInput(parseJson(readText(path.join(target, f), 'input'), f), opts);
        const first = r.findings.find((x) => x.status === 'fail');
        rows.push({ file: f, kind: r.kind, fmt: r.summary.fmt, verdict: r.verified ? 'verified' : 'failed', detail: first ? `${first.code}: ${first.message}${first.expected !== undefined ? ` (expected ${first.expected}, got ${first.actual})` : ''}` : '' });
        results.push({ file: f, ...r });
        clear();
        if (!json) io.out.write(`${renderInspect(f, r, colour)}\n\n`);
      } catch (e) {
        if (!(e instanceof HarnessError)) throw e;
        rows.push({ file: f, verdict: 'bad input', detail: `${e.code}: ${e.message}` });
        results.push({ file: f, error: { code: e.code, message: e.message } });
        clear();
        if (!json) io.out.write(`${f}: bad input: ${e.code}: ${e.message}\n\n`);
      }
    }
    clear();
    io.out.write(json ? `${JSON.stringify({ results }, null, 2)}\n` : `${renderSummary(rows, colour)}\n`);
    return rows.some((r) => r.verdict === 'bad input') ? 2 : rows.some((r) => r.verdict === 'failed') ? 1 : 0;
  }

  const text = target === '-' ? await io.readStdin() : readText(target, 'input');
  const name = target === '-' ? 'stdin' : path.basename(target);
  const r: InspectResult = inspectInput(parseJson(text, name), opts);
  io.out.write(json ? `${JSON.stringify(r, null, 2)}\n` : `${renderInspect(name, r, colour)}\n`);
  return r.verified ? 0 : 1;
}
