import type { RunReport } from '../checks/evaluateRun.ts';
import { renderJunit } from './renderJunit.ts';
import { renderMarkdown } from './renderMarkdown.ts';
import { renderHtml } from './renderHtml.ts';
import { renderText } from './renderText.ts';

/** One report format: how it renders one or several runs, and what it is on the wire and on disk. */
export interface ReportFormatSpec {
  render(reports: readonly RunReport[], o: { colour: boolean; wrap: boolean }): string;
  contentType: string;
  ext: string;
  /** renders exactly one run (the single-file HTML) */
  single?: boolean;
}

/**
 * Every report format, in one table: the CLI (check, report), the Playwright export and the
 * server's report downloads all render through it.
 */
export const REPORT_FORMATS = {
  text: { render: (r, o) => `${r.map((x) => renderText(x, o.colour)).join('\n\n')}\n`, contentType: 'text/plain; charset=utf-8', ext: 'txt' },
  json: { render: (r, o) => `${JSON.stringify(o.wrap ? { reports: r } : r[0], null, 2)}\n`, contentType: 'application/json', ext: 'json' },
  junit: { render: (r) => renderJunit([...r]), contentType: 'application/xml', ext: 'xml' },
  md: { render: (r) => r.map(renderMarkdown).join('\n'), contentType: 'text/markdown; charset=utf-8', ext: 'md' },
  html: { render: (r) => renderHtml(r[0]!), contentType: 'text/html; charset=utf-8', ext: 'html', single: true },
} as const satisfies Record<string, ReportFormatSpec>;

export type ReportFormat = keyof typeof REPORT_FORMATS;
export const REPORT_FORMAT_NAMES = Object.keys(REPORT_FORMATS) as ReportFormat[];

export function isReportFormat(v: string): v is ReportFormat {
  return Object.hasOwn(REPORT_FORMATS, v);
}

/** Render in a format; several runs as `{reports}` in JSON when `wrap`. */
export function renderReports(reports: readonly RunReport[], format: ReportFormat, o: { colour?: boolean; wrap?: boolean } = {}): string {
  const f: ReportFormatSpec = REPORT_FORMATS[format];
  return f.render(reports, { colour: !!o.colour, wrap: o.wrap ?? reports.length > 1 });
}
