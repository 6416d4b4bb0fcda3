import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors/HarnessError.ts';
import type { RunReport } from '../checks/evaluateRun.ts';
import { REPORT_FORMATS, REPORT_FORMAT_NAMES, isReportFormat, renderReports, type ReportFormat } from '../report/formats.ts';
import { oneOf } from './args.ts';
import { wantsColour } from '../terminal/palette.ts';

export type { ReportFormat } from '../report/formats.ts';

export function parseReportFormat(v: string): ReportFormat {
  return isReportFormat(v) ? v : oneOf(v, REPORT_FORMAT_NAMES, '--format');
}

/** The format an output file's name asks for: .json, .xml (JUnit), .md, .html, .txt. */
export function formatForFile(file: string): ReportFormat | undefined {
  const ext = file.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext === 'json' ? 'json' : ext === 'xml' || ext === 'junit' ? 'junit' : ext === 'md' ? 'md' : ext === 'html' || ext === 'htm' ? 'html' : ext === 'txt' ? 'text' : undefined;
}

/**
 * --out given once or several times: one file per format, all written by the one run (so a CI
 * step under `set -e` gets its JUnit and JSON even when the run fails). A single --out takes
 * --format (or its extension); several take each one's extension.
 */
export function outputsFromArgs(outs: string[] | undefined, format: string | undefined): { format: ReportFormat; outFile?: string }[] {
  const list = outs ?? [];
  if (list.length <= 1) {
    const file = list[0];
    // a file whose extension names a format we do not write (report.pdf) is a mistake, not text
    if (file && format === undefined && /\.[a-z0-9]+$/i.test(path.basename(file)) && !formatForFile(file)) {
      throw new HarnessError('BAD_USAGE', `--out ${file}: the extension says a format fido2-harness does not write; use .json, .xml (JUnit), .md, .html or .txt, or say the format with --format`);
    }
    const f = format !== undefined ? parseReportFormat(format) : file ? (formatForFile(file) ?? 'text') : 'text';
    return [{ format: f, outFile: file }];
  }
  if (format !== undefined) throw new HarnessError('BAD_USAGE', '--format names the format of a single --out; with several --out files each one\'s extension says its format (.json, .xml for JUnit, .md, .html, .txt)');
  return list.map((file) => {
    const f = formatForFile(file);
    if (!f) throw new HarnessError('BAD_USAGE', `--out ${file}: with several --out files the extension says the format (.json, .xml for JUnit, .md, .html, .txt)`);
    return { format: f, outFile: file };
  });
}

/** writeReports for every requested output; the exit code is the reports' verdict. */
export function writeAllReports(reports: RunReport[], outputs: { format: ReportFormat; outFile?: string }[], o: { wrap: boolean; out: NodeJS.WritableStream & { isTTY?: boolean }; env: Record<string, string | undefined> }): number {
  let code = 0;
  for (const x of outputs) code = writeReports(reports, { ...o, format: x.format, outFile: x.outFile });
  return code;
}

/**
 * One or several run reports in a format, to a file or the terminal, the exit code from
 * their verdicts (0 all passed, 1 one failed). JSON keeps the shape it was asked for: one
 * report, or `{ reports }` (several keys, check --virtual).
 */
export function writeReports(reports: RunReport[], o: { format: ReportFormat; outFile?: string; wrap: boolean; out: NodeJS.WritableStream & { isTTY?: boolean }; env: Record<string, string | undefined> }): number {
  if ('single' in REPORT_FORMATS[o.format] && reports.length !== 1) throw new HarnessError('BAD_USAGE', `the HTML report is one file per key and there are ${reports.length}: pick one (check --virtual --profile NAME, report --label NAME)`);
  const colour = o.format === 'text' && !o.outFile && wantsColour(o.out, o.env);
  const text = renderReports(reports, o.format, { colour, wrap: o.wrap });
  const ok = reports.every((r) => r.verdict === 'pass');
  if (o.outFile) {
    try {
      fs.writeFileSync(o.outFile, text);
    } catch (e) {
      throw new HarnessError('BAD_USAGE', `cannot write ${o.outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // a CI log shows what failed, not only where the report went
    const failing = [...new Set(reports.flatMap((r) => r.outcomes.filter((x) => x.status === 'fail').map((x) => x.id)))];
    o.out.write(`${ok ? 'PASS' : reports.some((r) => r.verdict === 'fail') ? 'FAIL' : 'INCOMPLETE (load metadata)'}: report written to ${o.outFile}${ok ? '' : `${failing.length ? `; failing: ${failing.join(', ')}` : ''}`}\n`);
  } else o.out.write(text);
  return ok ? 0 : 1;
}
