import fs from 'node:fs';
import { HarnessError } from '../errors/HarnessError.ts';
import type { RunReport } from '../checks/evaluateRun.ts';
import { REPORT_FORMATS, REPORT_FORMAT_NAMES, isReportFormat, renderReports, type ReportFormat } from '../report/formats.ts';
import { oneOf } from './args.ts';
import { wantsColour } from '../terminal/palette.ts';

export type { ReportFormat } from '../report/formats.ts';

export function parseReportFormat(v: string): ReportFormat {
  return isReportFormat(v) ? v : oneOf(v, REPORT_FORMAT_NAMES, '--format');
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
    o.out.write(`${ok ? 'PASS' : 'FAIL'}: report written to ${o.outFile}\n`);
  } else o.out.write(text);
  return ok ? 0 : 1;
}
