import { describeKeyChanges } from '../checks/keyChangeLines.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { CHECKS } from '../checks/registry.ts';
import { summarizeOutcomes, type CheckOutcome, type RunReport } from '../checks/evaluateRun.ts';
import type { KeyChanges } from '../checks/ctap/CtapEvidence.ts';

/** which key a report is about: shards of one key share it, different keys do not */
const keyOf = (r: RunReport) => `${r.run.subject.label}\u0000${r.aaguid ?? ''}`;
const named = (r: RunReport) => `"${r.run.subject.label}"${r.aaguid ? ` (AAGUID ${r.aaguid})` : ''}`;
const ORDER = new Map(CHECKS.map((c, i) => [c.id as string, i]));

const disagree = (why: string) => new HarnessError('SHARDS_DISAGREE', why);

/**
 * `report merge`: the reports of shards (check … --shard i/n on n machines) joined into one
 * report per key, as the unsharded run would have written it: outcomes in catalogue order,
 * counts, verdict, the predicted row's eligibility and the to-fix list recomputed from them.
 * Reports about different keys stay separate reports of one document. Refused, naming what is
 * wrong: a shard missing or given twice, shards of different slicings, a check judged by two
 * shards, shards judged against different metadata.
 */
export function mergeReports(reports: RunReport[]): RunReport[] {
  const groups = new Map<string, RunReport[]>();
  for (const r of reports) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  return [...groups.values()].map(mergeKey);
}

function mergeKey(parts: RunReport[]): RunReport {
  const first = parts[0]!;
  const unsharded = parts.filter((p) => !p.shard);
  if (unsharded.length) {
    if (parts.length === 1) return first;
    throw disagree(`${named(first)} has ${parts.length} reports of which ${unsharded.length} ${unsharded.length === 1 ? 'is' : 'are'} not a shard (no --shard): these are separate runs of one key, compare them with report diff`);
  }
  const count = first.shard!.count;
  const odd = parts.find((p) => p.shard!.count !== count);
  if (odd) throw disagree(`${named(first)}: shards of different slicings (${first.shard!.index}/${count} and ${odd.shard!.index}/${odd.shard!.count}): every machine must use the same n`);
  const byIndex = new Map<number, RunReport>();
  for (const p of parts) {
    if (byIndex.has(p.shard!.index)) throw disagree(`${named(first)}: shard ${p.shard!.index}/${count} given twice (runs ${byIndex.get(p.shard!.index)!.run.id} and ${p.run.id})`);
    byIndex.set(p.shard!.index, p);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw disagree(`${named(first)}: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: a merged report must hold every slice of the catalogue`);
  const mds = (r: RunReport) => (r.mds ? `MDS no ${r.mds.no}${r.mds.draft ? ` draft ${r.mds.draft}` : ''}${r.mds.generated ? ` generated from ${r.mds.generated}` : ''}` : 'no metadata');
  const otherMds = parts.find((p) => mds(p) !== mds(first));
  if (otherMds) throw disagree(`${named(first)}: shard ${first.shard!.index} was judged against ${mds(first)}, shard ${otherMds.shard!.index} against ${mds(otherMds)}: run every shard with the same metadata`);
  const sorted = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);

  const seen = new Map<string, number>();
  const outcomes: CheckOutcome[] = [];
  for (const p of sorted) {
    for (const o of p.outcomes) {
      if (seen.has(o.id)) throw disagree(`${named(first)}: ${o.id} was judged by shard ${seen.get(o.id)} and shard ${p.shard!.index}: the shards do not slice one catalogue (same fido2-harness version and --areas on every machine?)`);
      seen.set(o.id, p.shard!.index);
      outcomes.push(o);
    }
  }
  outcomes.sort((a, b) => (ORDER.get(a.id) ?? 1e9) - (ORDER.get(b.id) ?? 1e9));

  const { counts, requiredFailed, verdict, toFix } = summarizeOutcomes(outcomes);
  const notRun = [...new Map(sorted.flatMap((p) => p.notRun ?? []).map((n) => [n.area, n])).values()];
  const rows = sorted.map((p) => p.predictedRow).filter((r) => r !== undefined);
  const merged: RunReport = {
    ...first,
    run: { ...first.run, finishedAt: sorted.map((p) => p.run.finishedAt).filter((t): t is string => !!t).sort().at(-1) ?? first.run.finishedAt },
    verdict,
    counts,
    // each shard's eligible is "the row is eligible and my required checks passed": all of them together is the whole answer
    predictedRow: rows.length ? { ...rows[0]!, eligible: rows.every((r) => r.eligible) && !requiredFailed } : undefined,
    outcomes,
    toFix,
    mergedFrom: sorted.map((p) => ({ shard: p.shard!.index, runId: p.run.id, startedAt: p.run.startedAt })),
  };
  delete merged.shard;
  if (notRun.length) merged.notRun = notRun;
  else delete merged.notRun;
  const metadataMissing = sorted.find((p) => p.metadataMissing)?.metadataMissing;
  if (metadataMissing) merged.metadataMissing = metadataMissing;
  const changes = sorted.map((p) => p.keyChanges).filter((c): c is KeyChanges => !!c);
  if (changes.length) {
    merged.keyChanges = joinKeyChanges(changes);
    merged.keyChangeLines = describeKeyChanges(merged.keyChanges);
  }
  return merged;
}

/** every shard ran on the key: what each created, deleted and left, together */
function joinKeyChanges(all: KeyChanges[]): KeyChanges {
  const out: KeyChanges = { created: all.flatMap((c) => c.created), deleted: all.flatMap((c) => c.deleted), left: all.flatMap((c) => c.left) };
  const unlisted = all.flatMap((c) => c.unlisted ?? []);
  if (unlisted.length) out.unlisted = unlisted;
  if (all.some((c) => c.pinSet)) out.pinSet = true;
  const retries = all.map((c) => c.pinRetries).filter((r) => r !== undefined);
  if (retries.length) out.pinRetries = { before: retries[0]!.before, after: retries.at(-1)!.after };
  const leftovers = all.reduce((n, c) => n + (c.leftovers ?? 0), 0);
  if (leftovers) out.leftovers = leftovers;
  const actions = all.flatMap((c) => c.actions ?? []);
  if (actions.length) out.actions = actions;
  const cycles = all.filter((c) => c.powerCycles?.count);
  if (cycles.length) out.powerCycles = { count: cycles.reduce((n, c) => n + c.powerCycles!.count, 0), how: cycles[0]!.powerCycles!.how };
  return out;
}
