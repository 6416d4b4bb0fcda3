import fs from 'node:fs';
import { HarnessError } from '../errors/HarnessError.ts';
import type { RunReport } from '../checks/evaluateRun.ts';
import { renderJunit } from '../report/renderJunit.ts';
import { renderMarkdown } from '../report/renderMarkdown.ts';
import { renderHtml } from '../report/renderHtml.ts';
import { renderText } from '../report/renderText.ts';

export const REPORT_FORMATS = ['text', 'json', 'junit', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseReportFormat(v: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(v)) throw new HarnessError('BAD_USAGE', `--format must be ${REPORT_FORMATS.slice(0, -1).join(', ')} or ${REPORT_FORMATS.at(-1)}, not ${JSON.stringify(v)}`);
  return v as ReportFormat;
}

/**
 * One or several run reports in a format, to a file or the terminal, the exit code from
 * their verdicts (0 all passed, 1 one failed). JSON keeps the shape it was asked for: one
 * report, or `{ reports }` (several keys, check --virtual).
 */
export function writeReports(reports: RunReport[], o: { format: ReportFormat; outFile?: string; wrap: boolean; out: NodeJS.WritableStream & { isTTY?: boolean }; env: Record<string, string | undefined> }): number {
  if (o.format === 'html' && reports.length !== 1) throw new HarnessError('BAD_USAGE', `the HTML report is one file per key and there are ${reports.length}: pick one (check --virtual --profile NAME, report --label NAME)`);
  const colour = o.format === 'text' && !o.outFile && !!o.out.isTTY && !o.env.NO_COLOR;
  const text =
    o.format === 'json' ? `${JSON.stringify(o.wrap ? { reports } : reports[0], null, 2)}\n`
    : o.format === 'junit' ? renderJunit(reports)
    : o.format === 'md' ? reports.map(renderMarkdown).join('\n')
    : o.format === 'html' ? renderHtml(reports[0]!)
    : `${reports.map((r) => renderText(r, colour)).join('\n\n')}\n`;
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
