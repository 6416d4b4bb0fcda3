import fs from 'node:fs';
import { HarnessError } from '../errors/HarnessError.ts';
import { parseCommandArgs } from './args.ts';
import { palette } from '../terminal/palette.ts';
import type { RunReport } from '../checks/evaluateRun.ts';
import { MAX_REPORT_BYTES, readReportDocument } from '../report/readReports.ts';
import { diffReports, type ReportDiff } from '../report/diffReports.ts';
import { mergeReports } from '../report/mergeReports.ts';
import { outputsFromArgs, writeAllReports } from './writeReports.ts';

export const REPORT_USAGE = `usage: fido2-harness report <report.json | -> [--format text|json|junit|md|html] [--out FILE] [--label NAME]
       fido2-harness report diff <a.json> <b.json> [--label NAME] [--json] [--baseline-missing ok]
       fido2-harness report merge <shard.json>... [--format …] [--out FILE]...

Reads saved JSON reports (check --format json, check --virtual --format json, or a run's
report.json downloaded from the page), checks they are well-formed and self-consistent,
and either renders them in another format or compares two of them check by check
(a firmware update, a second sample of the same model), or joins the reports of shards
(check … --shard i/n on n machines) into the one report the unsharded run would have written:
one document, one JUnit, one verdict (reports about different keys stay side by side).

  --label NAME   only the report whose key label (the profile or run label) is NAME
  --json         diff: machine-readable
  --baseline-missing ok
                 diff: when <a.json> (the baseline) does not exist yet, say so and exit 0 (a CI
                 pipeline's first run); without it a missing file is exit 2

exit: report, merge: 0 every report passed, 1 one failed; diff: 0 nothing regressed, 1 a check
that passed in a does not in b (or skip became fail); 2 unreadable input, not a
fido2-harness report, a report that contradicts itself, shards that do not join (one missing or twice, another slicing or
metadata), or bad usage
`;

interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  readStdin: () => Promise<string>;
}

async function load(spec: string, io: Io): Promise<{ reports: RunReport[]; wrapped: boolean }> {
  let text: string;
  if (spec === '-') text = await io.readStdin();
  else {
    try {
      if (fs.statSync(spec).size > MAX_REPORT_BYTES) throw new HarnessError('BAD_INPUT', `${spec} is larger than ${MAX_REPORT_BYTES} bytes; a report is far smaller`);
      text = fs.readFileSync(spec, 'utf8');
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw new HarnessError('BAD_INPUT', `cannot read report ${spec}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const name = spec === '-' ? 'standard input' : spec;
  return readReportDocument(text, name);
}

function pick(reports: RunReport[], label: string | undefined, spec: string): RunReport[] {
  if (label === undefined) return reports;
  const hit = reports.filter((r) => r.run.subject.label === label);
  if (!hit.length) throw new HarnessError('BAD_USAGE', `no report labelled ${JSON.stringify(label)} in ${spec}; labels: ${reports.map((r) => JSON.stringify(r.run.subject.label)).join(', ')}`);
  return hit;
}

/** Pairs for diff: one each side, or the same labels on both sides (check --virtual profiles). */
function pairs(a: RunReport[], b: RunReport[]): { pairs: [RunReport, RunReport][]; unpaired: string[] } {
  if (a.length === 1 && b.length === 1) return { pairs: [[a[0]!, b[0]!]], unpaired: [] };
  const out: [RunReport, RunReport][] = [];
  const unpaired: string[] = [];
  for (const x of a) {
    const y = b.find((r) => r.run.subject.label === x.run.subject.label);
    if (y) out.push([x, y]);
    else unpaired.push(`${x.run.subject.label} (only in a)`);
  }
  for (const y of b) if (!a.some((x) => x.run.subject.label === y.run.subject.label)) unpaired.push(`${y.run.subject.label} (only in b)`);
  return { pairs: out, unpaired };
}

function renderDiff(d: ReportDiff, colour: boolean): string {
  const p = palette(colour);
  const side = (s: ReportDiff['a']) => `${s.label}${s.firmware ? ` firmware ${s.firmware}` : ''} (run ${s.id}): ${s.verdict === 'pass' ? p.green('PASS') : s.verdict === 'incomplete' ? p.yellow('INCOMPLETE') : p.red('FAIL')}`;
  const lines = [`a: ${side(d.a)}`, `b: ${side(d.b)}`];
  if (d.a.aaguid !== d.b.aaguid) lines.push(p.yellow(`note: different AAGUIDs (${d.a.aaguid ?? 'none'} and ${d.b.aaguid ?? 'none'}): these are different models`));
  if (!d.changed.length) lines.push('no check changed');
  const w = Math.max(0, ...d.changed.map((c) => c.id.length));
  for (const c of d.changed) {
    const tag = c.change === 'regressed' ? p.red('REGRESSED') : c.change === 'fixed' ? p.green('fixed    ') : p.yellow('changed  ');
    lines.push(`  ${tag}  ${c.id.padEnd(w)}  ${c.severity.padEnd(11)} ${c.a} -> ${c.b}  ${p.dim(c.title)}`);
  }
  if (d.notCompared?.length) lines.push(p.dim(`  ${d.notCompared.length} check(s) not compared: they judge steps not run yet in an unfinished run (${d.notCompared.map((c) => c.id).join(', ')})`));
  return lines.join('\n');
}

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values: v, positionals: positional } = parseCommandArgs(argv, { format: { type: 'string' }, out: { type: 'string', multiple: true }, label: { type: 'string' }, json: { type: 'boolean' }, 'baseline-missing': { type: 'string' } }, REPORT_USAGE);
  if (v.help) {
    io.out.write(REPORT_USAGE);
    return 0;
  }
  const outputs = outputsFromArgs(v.out, v.format);
  const label = v.label;
  const json = !!v.json;
  if (positional[0] === 'diff') {
    if (positional.length !== 3) throw new HarnessError('BAD_USAGE', `report diff needs two reports: report diff <a.json> <b.json>\n${REPORT_USAGE}`);
    if (positional[1] === '-' && positional[2] === '-') throw new HarnessError('BAD_USAGE', 'only one of the two reports can come from standard input');
    if (v['baseline-missing'] !== undefined && v['baseline-missing'] !== 'ok') throw new HarnessError('BAD_USAGE', `--baseline-missing takes ok, not ${JSON.stringify(v['baseline-missing'])}`);
    if (v['baseline-missing'] === 'ok' && positional[1] !== '-' && !fs.existsSync(positional[1]!)) {
      io.out.write(`no baseline yet: ${positional[1]} does not exist, so nothing was compared; keep ${positional[2]} as the baseline for the next run\n`);
      return 0;
    }
    const [a, b] = [await load(positional[1]!, io), await load(positional[2]!, io)];
    const { pairs: ps, unpaired } = pairs(pick(a.reports, label, positional[1]!), pick(b.reports, label, positional[2]!));
    if (!ps.length) throw new HarnessError('BAD_USAGE', `nothing to compare: no key label appears in both reports (${unpaired.join(', ')}); pick one each side with --label, or diff single-key reports`);
    const diffs = ps.map(([x, y]) => diffReports(x, y));
    const colour = !json && !!io.out.isTTY && !io.env.NO_COLOR;
    io.out.write(json ? `${JSON.stringify({ diffs, unpaired }, null, 2)}\n` : `${diffs.map((d) => renderDiff(d, colour)).join('\n\n')}${unpaired.length ? `\n\nnot compared: ${unpaired.join(', ')}` : ''}\n`);
    return diffs.some((d) => d.regressions > 0 || (d.a.verdict === 'pass' && d.b.verdict === 'fail')) ? 1 : 0;
  }
  if (positional[0] === 'merge') {
    const files = positional.slice(1);
    if (!files.length) throw new HarnessError('BAD_USAGE', `report merge needs the shards' reports: report merge shard-1.json shard-2.json …\n${REPORT_USAGE}`);
    if (files.filter((f) => f === '-').length > 1) throw new HarnessError('BAD_USAGE', 'only one of the reports can come from standard input');
    const all: RunReport[] = [];
    for (const f of files) all.push(...pick((await load(f, io)).reports, label, f));
    const merged = mergeReports(all);
    return writeAllReports(merged, outputs, { wrap: merged.length > 1, out: io.out, env: io.env });
  }
  if (positional.length !== 1) throw new HarnessError('BAD_USAGE', positional.length ? `one report at a time (got ${positional.join(', ')}); to compare two, use report diff` : `no report given\n${REPORT_USAGE}`);
  if (json) throw new HarnessError('BAD_USAGE', '--json is for report diff; use --format json');
  const { reports, wrapped } = await load(positional[0]!, io);
  const chosen = pick(reports, label, positional[0]!);
  return writeAllReports(chosen, outputs, { wrap: wrapped && label === undefined, out: io.out, env: io.env });
}
