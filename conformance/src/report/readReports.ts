import { Ajv } from 'ajv';
import { HarnessError } from '../errors/HarnessError.ts';
import { REPORT_SCHEMA, summarizeOutcomes, type RunReport } from '../checks/evaluateRun.ts';
import { RUN_REPORT_SCHEMA } from './runReportSchema.ts';
import { isJsonObject, parseJsonDocument } from '../encoding/parseJsonDocument.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(RUN_REPORT_SCHEMA);
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;

/**
 * Run reports read back from outside: one report (`check --format json`, a run's report.json
 * from the page) or `{ "reports": [...] }` (`check --virtual --format json`). Each is checked
 * against the v1 schema and for being self-consistent: the counts, the verdict, the predicted
 * row's eligibility and the to-fix list are recomputed from the outcomes and must agree, and an
 * outcome marked pass may not carry a failure's expected/actual. That catches truncation and
 * careless edits; a report rewritten consistently by hand is not evidence (judge the stored run).
 */
export function readReports(text: string, name: string): RunReport[] {
  return readReportDocument(text, name).reports;
}

/** The same, saying whether the document was the `{ "reports": [...] }` form (to write it back alike). */
export function readReportDocument(text: string, name: string): { reports: RunReport[]; wrapped: boolean } {
  const doc = parseJsonDocument(text, name, { maxBytes: MAX_REPORT_BYTES, what: 'a report' });
  if (!isJsonObject(doc)) throw new HarnessError('BAD_REPORT', `${name}: expected a fido2-harness run report (a JSON object), got ${Array.isArray(doc) ? 'an array' : typeof doc}`);
  const many = 'reports' in doc;
  const list = many ? doc.reports : [doc];
  if (!Array.isArray(list) || list.length === 0 || list.length > 100) throw new HarnessError('BAD_REPORT', `${name}: "reports" must be an array of 1 to 100 run reports`);
  const reports = list.map((r, i) => {
    const where = many ? `${name} reports[${i}]` : name;
    if (isJsonObject(r) && r.$schema !== REPORT_SCHEMA) {
      throw new HarnessError('BAD_REPORT', `${where}: not a fido2-harness run report ($schema is ${JSON.stringify(r.$schema ?? null)}, expected ${REPORT_SCHEMA})${typeof r.schemaVersion === 'number' && r.schemaVersion > 1 ? '; it was written by a newer fido2-harness' : ''}`);
    }
    if (!validate(r)) {
      const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
      throw new HarnessError('BAD_REPORT', `${where} does not match the run report schema: ${errs.join('; ')}`);
    }
    const report = r as unknown as RunReport;
    // the counts, verdict, eligibility and to-fix list as the outcomes give them
    const derived = summarizeOutcomes(report.outcomes);
    const c = derived.counts;
    if (c.pass !== report.counts.pass || c.fail !== report.counts.fail || c.skip !== report.counts.skip) {
      throw new HarnessError('BAD_REPORT', `${where}: counts (${report.counts.pass}/${report.counts.fail}/${report.counts.skip}) do not match its outcomes (${c.pass}/${c.fail}/${c.skip}): the report was edited or truncated`);
    }
    const edited = (why: string) => new HarnessError('BAD_REPORT', `${where}: ${why}: the report was edited or truncated`);
    const ids = new Set<string>();
    for (const o of report.outcomes) {
      if (ids.has(o.id)) throw edited(`check ${o.id} appears twice`);
      ids.add(o.id);
      // only a failure carries expected and actual (a check's pass and skip never do)
      if (o.status !== 'fail' && (o.expected !== undefined || o.actual !== undefined)) throw edited(`${o.id} says ${o.status} but carries a failure's expected/actual`);
      if (o.notApplicable && o.status !== 'skip') throw edited(`${o.id} is marked not applicable but says ${o.status}`);
      if (o.notRun !== undefined && o.status !== 'skip') throw edited(`${o.id} is marked not run but says ${o.status}`);
    }
    const { requiredFailed } = derived;
    if (report.verdict !== derived.verdict) throw edited(`verdict "${report.verdict}" contradicts its outcomes (${requiredFailed ? 'a required check did not pass' : derived.verdict === 'incomplete' ? 'required metadata checks were not judged' : 'every required check passed'})`);
    if (report.predictedRow?.eligible && requiredFailed) throw edited('the predicted row says eligible although a required check did not pass');
    const toFix = new Set(derived.toFix.map((f) => f.id));
    const listed = new Set(report.toFix.map((f) => f.id));
    if (toFix.size !== listed.size || [...toFix].some((id) => !listed.has(id))) throw edited(`the to-fix list (${[...listed].join(', ') || 'empty'}) is not the failing checks (${[...toFix].join(', ') || 'none'})`);
    return report;
  });
  return { reports, wrapped: many };
}
