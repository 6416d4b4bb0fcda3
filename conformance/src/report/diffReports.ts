import type { RunReport } from '../checks/evaluateRun.ts';
import type { Severity } from '../checks/Check.ts';

type Status = 'pass' | 'fail' | 'skip' | 'absent';

export interface ReportDiff {
  a: { id: string; label: string; firmware?: string; verdict: RunReport['verdict']; aaguid?: string };
  b: ReportDiff['a'];
  /** checks whose status differs, worst change first */
  changed: { id: string; title: string; severity: Severity; a: Status; b: Status; change: 'regressed' | 'fixed' | 'changed' }[];
  /** checks that passed in a and do not in b, or went from skip to fail */
  regressions: number;
  /**
   * checks not compared: in an unfinished run (the guided page) they look at a step that run has
   * not done yet (pending), so a pass against a pending skip is no regression
   */
  notCompared: { id: string; title: string; why: string }[];
}

const RANK: Record<Status, number> = { pass: 0, skip: 1, absent: 1, fail: 2 };

/** Compare two runs check by check (a firmware update, a second sample of the same model). */
export function diffReports(a: RunReport, b: RunReport): ReportDiff {
  const side = (r: RunReport) => ({ id: r.run.id, label: r.run.subject.label, firmware: r.run.subject.firmware, verdict: r.verdict, aaguid: r.aaguid });
  const ids = [...new Set([...a.outcomes, ...b.outcomes].map((o) => o.id))];
  const find = (r: RunReport, id: string) => r.outcomes.find((o) => o.id === id);
  const pendingIn = (id: string) => [find(a, id)?.pending ? `run ${a.run.id} (${a.run.subject.label})` : '', find(b, id)?.pending ? `run ${b.run.id} (${b.run.subject.label})` : ''].filter(Boolean);
  const notCompared = ids.filter((id) => pendingIn(id).length).map((id) => ({ id, title: (find(b, id) ?? find(a, id))!.title, why: `judges a step not run yet in ${pendingIn(id).join(' and ')}` }));
  const changed = ids
    .filter((id) => !pendingIn(id).length)
    .map((id) => {
      const [oa, ob] = [find(a, id), find(b, id)];
      const sa: Status = oa?.status ?? 'absent';
      const sb: Status = ob?.status ?? 'absent';
      const change = RANK[sb] > RANK[sa] ? ('regressed' as const) : RANK[sb] < RANK[sa] ? ('fixed' as const) : ('changed' as const);
      const o = (ob ?? oa)!;
      return { id, title: o.title, severity: o.severity, a: sa, b: sb, change };
    })
    .filter((c) => c.a !== c.b)
    .sort((x, y) => ['regressed', 'changed', 'fixed'].indexOf(x.change) - ['regressed', 'changed', 'fixed'].indexOf(y.change));
  return { a: side(a), b: side(b), changed, regressions: changed.filter((c) => c.change === 'regressed').length, notCompared };
}
