import fs from 'node:fs';
import { HarnessError } from '../errors/HarnessError.ts';
import { ArgReader, parseTime } from '../cli/ArgReader.ts';
import { loadProfile } from './loadProfile.ts';
import { runWithSoftAuthenticator } from './runWithSoftAuthenticator.ts';
import { evaluateRun, type RunReport } from './evaluateRun.ts';
import { renderJunit } from '../report/renderJunit.ts';
import { renderMarkdown } from '../report/renderMarkdown.ts';
import { renderHtml } from '../report/renderHtml.ts';
import { palette } from '../inspect/renderInspect.ts';

export const CHECK_USAGE = `usage: fido2-harness check --emulate <profile.json> [--format text|json|junit|md|html] [--out FILE] [--at <time>]
       fido2-harness check --virtual [--profile NAME]... [--areas LIST] [--format ...] [--out FILE]  (check --virtual --help)

Runs the conformance catalogue (Microsoft Entra attestation criteria, Windows
Microsoft-compatible key, declared vs observed, hygiene) against a software authenticator
that carries the profile's AAGUID and attestation chain (generated, or the vendor's PEM
files), with an MDS entry generated from the profile or read from a statement file.

exit: 0 every required check passed, 1 a required check failed, 2 the run could not be performed
`;

/** Terminal rendering: one line per check, failures with expected/actual and the fix. */
export function renderCheckText(r: RunReport, colour: boolean): string {
  const p = palette(colour);
  const lines = [`${p.bold(r.run.subject.label)}: ${r.verdict === 'pass' ? p.green('PASS') : p.red('FAIL')} (${r.counts.pass} passed, ${r.counts.fail} failed, ${r.counts.skip} skipped)`];
  if (r.predictedRow) lines.push(`  predicted Microsoft table row: ${r.predictedRow.description} | ${r.predictedRow.aaguid} | Bio ${r.predictedRow.bio ? 'yes' : 'no'} | USB ${r.predictedRow.usb ? 'yes' : 'no'} | NFC ${r.predictedRow.nfc ? 'yes' : 'no'} | BLE ${r.predictedRow.ble ? 'yes' : 'no'}${r.predictedRow.eligible ? '' : p.red('  (not eligible)')}`);
  const w = Math.max(...r.outcomes.map((o) => o.id.length));
  for (const o of r.outcomes) {
    const st = o.status === 'pass' ? p.green('pass') : o.status === 'fail' ? p.red('FAIL') : p.dim('skip');
    lines.push(`  ${st}  ${o.id.padEnd(w)}  ${p.dim(o.severity.padEnd(11))} ${o.message}${o.status === 'fail' ? ` (expected ${o.expected}, got ${o.actual})` : ''}`);
    if (o.status === 'fail') lines.push(`        ${' '.repeat(w)}  fix: ${o.fix}`);
  }
  return lines.join('\n');
}

export async function checkCommand(argv: string[], io: { out: NodeJS.WritableStream & { isTTY?: boolean }; env: Record<string, string | undefined> }): Promise<number> {
  let profileFile: string | undefined;
  let format = 'text';
  let outFile: string | undefined;
  let at: Date | undefined;
  const args = new ArgReader(argv);
  for (let a = args.next(); a !== undefined; a = args.next()) {
    if (a === '--emulate') profileFile = args.value(a);
    else if (a === '--format') {
      format = args.value(a);
      if (!['text', 'json', 'junit', 'md', 'html'].includes(format)) throw new HarnessError('BAD_USAGE', `--format must be text, json, junit, md or html, not ${JSON.stringify(format)}`);
    } else if (a === '--out') outFile = args.value(a);
    else if (a === '--at') at = parseTime(args.value(a));
    else if (a === '--help' || a === '-h') {
      io.out.write(CHECK_USAGE);
      return 0;
    } else throw new HarnessError('BAD_USAGE', `unknown option ${a}\n${CHECK_USAGE}`);
  }
  if (!profileFile) throw new HarnessError('BAD_USAGE', `check needs --emulate <profile.json>\n${CHECK_USAGE}`);
  const { profile, key, entry } = await loadProfile(profileFile);
  const run = runWithSoftAuthenticator(key, { rpId: 'conformance.fido2-harness.test', origin: 'https://conformance.fido2-harness.test', label: profile.description, mds: { no: 0, nextUpdate: '9999-12-31', entry } });
  run.subject.profile = profileFile;
  const report = evaluateRun(run, { at });
  const colour = format === 'text' && !outFile && !!io.out.isTTY && !io.env.NO_COLOR;
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'junit' ? renderJunit(report) : format === 'md' ? renderMarkdown(report) : format === 'html' ? renderHtml(report) : `${renderCheckText(report, colour)}\n`;
  if (outFile) {
    try {
      fs.writeFileSync(outFile, text);
    } catch (e) {
      throw new HarnessError('BAD_USAGE', `cannot write ${outFile}: ${(e as NodeJS.ErrnoException).code}`);
    }
    io.out.write(`${report.verdict === 'pass' ? 'PASS' : 'FAIL'}: report written to ${outFile}\n`);
  } else io.out.write(text);
  return report.verdict === 'pass' ? 0 : 1;
}
