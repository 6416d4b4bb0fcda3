import type { RunEvidence } from './RunEvidence.ts';
import type { CheckDefinition, CheckResult, Severity, CheckArea, CheckId } from './Check.ts';
import { CHECKS } from './registry.ts';
import { buildContext } from './EvaluationContext.ts';
import { entraEligibility, type EntraRow } from '../mds/entraEligibility.ts';
import { CTAP_ONLY_AREAS } from './checkIds.ts';
import { STEP_NAMES, type StepName } from './ceremonyPlan.ts';
import { compareGetInfo, getInfoDisagreements } from '../ctap/ctap2/compareGetInfo.ts';
import type { KeyChanges } from './ctap/CtapEvidence.ts';
import { describeKeyChanges } from './keyChangeLines.ts';
import { predictPasskeyProfiles, type PasskeyProfile, type PasskeyProfilesPrediction } from '../mds/passkeyProfiles.ts';

export const REPORT_SCHEMA = 'https://fido2-harness.dev/schemas/run-report/v1';

export interface CheckOutcome extends CheckResult {
  id: CheckId;
  title: string;
  area: CheckArea;
  severity: Severity;
  source: string;
  fix: string;
}

/** The report every renderer reads. Versioned: fields are only ever added within v1. */
export interface RunReport {
  $schema: typeof REPORT_SCHEMA;
  schemaVersion: 1;
  run: { id: string; startedAt: string; finishedAt?: string; subject: RunEvidence['subject']; rpId: string; origin: string; ceremonies: { step: string; kind: string; ok: boolean; error?: string }[] };
  evaluatedAt: string;
  /** `draft`: the entry is the vendor's draft statement (that file), not a BLOB's; `generated`: made from that emulation profile */
  mds?: { no: number; nextUpdate: string; listed: boolean; draft?: string; generated?: string };
  aaguid?: string;
  /**
   * pass: every required check passed; fail: a required check failed or could not be shown
   * (skipped); incomplete: none failed, but required metadata checks were not judged because no
   * metadata was loaded (load it: metadataMissing says how)
   */
  verdict: 'pass' | 'fail' | 'incomplete';
  counts: { pass: number; fail: number; skip: number };
  /**
   * the row Microsoft's eligible-keys table would show, read from MDS as Microsoft reads it;
   * `getInfoDisagrees`: the members where the key's real getInfo says otherwise (runs over CTAP)
   */
  predictedRow?: EntraRow & { eligible: boolean; getInfoDisagrees?: string[] };
  /** areas not judged in this run, and why (the ctap area on a browser run) */
  notRun?: { area: CheckArea; reason: string }[];
  /** what the run did to the key (runs over CTAP): created, deleted, left, the PIN */
  keyChanges?: KeyChanges;
  /** the same, in plain words (what every report format and the pages end with) */
  keyChangeLines?: string[];
  /** how the key was reached over CTAP, and where the run broke off if it did */
  ctap?: { transport: string; brokenOff?: string };
  /** a tenant's Entra passkey profiles (check --tenant-profile): will each accept this key, at registration and at sign-in, and why */
  passkeyProfiles?: PasskeyProfilesPrediction;
  /** no metadata entry for the key: the one cause of every metadata check's failure, and how to fix it */
  metadataMissing?: string;
  /** one slice of the catalogue (--shard i/n): the checks this shard judged; `report merge` joins the shards */
  shard?: Shard & { checks: CheckId[] };
  /** a merged report: the shards it was joined from */
  mergedFrom?: { shard: number; runId: string; startedAt?: string }[];
  outcomes: CheckOutcome[];
  toFix: { id: CheckId; severity: Severity; fix: string; actual?: string }[];
}

/**
 * What a report says about its outcomes, derived from them alone: evaluation, `report merge` and
 * the reader that refuses an edited report all use this one rule. A required check that could not
 * be shown (skipped for lack of evidence) is not passed; one about a feature the key does not have
 * at all (notApplicable), or one the person did not allow to change the key (notRun: "needs
 * --destructive"), is not held against it; a pending check is not yet a thing to fix.
 */
export function summarizeOutcomes(outcomes: readonly CheckOutcome[]): { counts: RunReport['counts']; requiredFailed: boolean; verdict: RunReport['verdict']; toFix: RunReport['toFix'] } {
  const requiredFailed = outcomes.some((x) => x.severity === 'required' && counted(x));
  const incomplete = outcomes.some((x) => x.severity === 'required' && x.status === 'skip' && x.notRun === 'metadata');
  return { ...summary(outcomes), requiredFailed, verdict: requiredFailed ? 'fail' : incomplete ? 'incomplete' : 'pass' };
}

const counted = (x: CheckOutcome) => x.status === 'fail' || (x.status === 'skip' && !x.notApplicable && !x.notRun);

function summary(outcomes: readonly CheckOutcome[]): { counts: RunReport['counts']; toFix: RunReport['toFix'] } {
  return {
    counts: { pass: outcomes.filter((x) => x.status === 'pass').length, fail: outcomes.filter((x) => x.status === 'fail').length, skip: outcomes.filter((x) => x.status === 'skip').length },
    toFix: outcomes
      .filter((x) => !x.pending && (x.status === 'fail' || (x.status === 'skip' && x.severity === 'required' && !x.notApplicable && !x.notRun)))
      .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'required' ? -1 : 1))
      .map((x) => ({ id: x.id, severity: x.severity, fix: x.fix, actual: x.actual ?? (x.status === 'skip' ? `not shown: ${x.message}` : undefined) })),
  };
}

/**
 * What the run shows for the passkey-profile prediction: the AAGUID, synced or device-bound (BE),
 * and why a registration would be refused with attestation enforced (Entra's vendor criteria:
 * the entra-enforced checks) and without (the entra-not-enforced checks). A check of those areas
 * that could not be shown makes the verdict incomplete, not a refusal; without metadata it says so.
 */
function passkeyFacts(outcomes: readonly CheckOutcome[], be: boolean | undefined, aaguid: string | undefined, metadataMissing: string | undefined) {
  const problems = (area: CheckArea) => {
    const of = outcomes.filter((x) => x.area === area);
    if (!of.length) return undefined;
    if (of.some((x) => x.status === 'skip' && !x.notApplicable)) return undefined;
    return of.filter((x) => x.status === 'fail').map((x) => `${x.id}: ${x.actual ?? x.message}`);
  };
  return {
    aaguid,
    synced: be,
    enforcedProblems: problems('entra-enforced'),
    unenforcedProblems: problems('entra-not-enforced'),
    incomplete: metadataMissing ? 'incomplete: load metadata (the key has no metadata entry, so attestation to the MDS root cannot be judged)' : 'the attestation checks could not all be shown in this run',
  };
}

/** shard `index` of `count` (1-based) */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The checks of shard i/n: the catalogue (after --areas) dealt round-robin, so every shard gets
 * a mix of areas and the n shards together are the whole catalogue exactly once.
 */
export function shardOf<T>(checks: readonly T[], shard: Shard | undefined): T[] {
  return shard ? checks.filter((_, i) => i % shard.count === shard.index - 1) : [...checks];
}

/**
 * Evaluate a run against the catalogue. Pure: the same evidence and time give the same
 * report, so a stored run can be re-evaluated with a newer catalogue or MDS entry.
 */
export function evaluateRun(run: RunEvidence, o: { at?: Date; checks?: readonly CheckDefinition[]; areas?: readonly CheckArea[]; shard?: Shard; passkeyProfiles?: { profiles: readonly PasskeyProfile[]; source: string } } = {}): RunReport {
  const at = o.at ?? new Date(run.finishedAt ?? run.startedAt);
  const ctx = buildContext(run, at);
  // the ctap area judges the key's own CTAP answers: a browser run has none, so it is not run there
  const ctapRun = !!run.ctap;
  const wanted = shardOf((o.checks ?? CHECKS).filter((c) => !o.areas || o.areas.includes(c.area)), o.shard);
  const notRun = ctapRun ? [] : [...new Set(wanted.filter((c) => CTAP_ONLY_AREAS.includes(c.area)).map((c) => c.area))].map((area) => ({ area, reason: 'needs the key over CTAP: check --ctap, check --emulate, or the guided run over USB' }));
  const outcomes: CheckOutcome[] = wanted.filter((c) => ctapRun || !CTAP_ONLY_AREAS.includes(c.area)).map((c) => {
    let r: CheckResult;
    try {
      r = c.evaluate(ctx);
    } catch (e) {
      // a harness bug must not pass for the vendor's defect, nor hide the other checks
      r = { status: 'fail', message: `the check itself failed: ${(e as Error).message} (a harness bug: please report it)`, expected: 'a verdict', actual: 'exception' };
    }
    return { id: c.id, title: c.title, area: c.area, severity: c.severity, source: c.source, fix: c.fix, ...r };
  });
  // a run still in progress (the guided page): a check that has not passed and looks at a step not
  // run yet (or at nothing yet) is pending, not a finding against the firmware
  if (!run.finishedAt && !run.interrupted) {
    const ran = new Set(run.ceremonies.map((c) => c.step));
    for (const o of outcomes) {
      if (o.status === 'pass' || o.area === 'ctap') continue;
      const steps = (o.evidence ?? []).filter((e) => (STEP_NAMES as readonly string[]).includes(e));
      if (!steps.length || steps.some((st) => !ran.has(st as StepName))) o.pending = true;
    }
  }
  // no metadata for the key at all: every metadata check fails for that one reason, said once
  const metadataMissing = ctx.entry || !ctx.registrations.length ? undefined : run.mds ? `the metadata given (${run.mds.no ? `MDS BLOB no ${run.mds.no}` : 'statements only, no BLOB'}) has no entry for this key's AAGUID: give the draft statement you will submit (serve --statements, check --statement) until the key is in MDS` : 'no metadata is loaded: give the key\'s draft statement (serve --statements FILE, check --ctap --statement FILE), or an MDS BLOB (fido2-harness mds update, serve --mds FILE|URL)';
  if (metadataMissing) {
    const byId = new Map((o.checks ?? CHECKS).map((c) => [c.id, c]));
    for (const x of outcomes) if (byId.get(x.id)?.needsMetadata && x.status !== 'pass') x.fix = `Load the key's metadata: ${metadataMissing}.`;
  }
  const reg = ctx.registrations[0];
  const entry = ctx.entry;
  // the eligibility of metadata from outside is computed under the same guard as the checks: a
  // statement of an unexpected shape costs the predicted row, never the report
  let row: ReturnType<typeof entraEligibility> | undefined;
  try {
    row = entry ? entraEligibility(entry, at) : undefined;
  } catch {
    row = undefined;
  }
  const { counts, requiredFailed, verdict, toFix } = summarizeOutcomes(outcomes);
  const info = ctx.ctap?.info;
  const declared = entry?.metadataStatement?.authenticatorGetInfo as Record<string, unknown> | undefined;
  const getInfoDisagrees = info && declared ? getInfoDisagreements(compareGetInfo(declared, info)).map((d) => d.member) : undefined;
  return {
    $schema: REPORT_SCHEMA,
    schemaVersion: 1,
    run: {
      id: run.id,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      subject: run.subject,
      rpId: run.rpId,
      origin: run.origin,
      ceremonies: run.ceremonies.map((c) => ({ step: c.step, kind: c.kind, ok: !!c.response, ...(c.error ? { error: `${c.error.name}: ${c.error.message}` } : {}) })),
    },
    evaluatedAt: at.toISOString(),
    mds: run.mds ? { no: run.mds.no, nextUpdate: run.mds.nextUpdate, listed: !!entry, ...(entry?.draftFrom ? { draft: entry.draftFrom } : {}), ...(entry?.generatedFrom ? { generated: entry.generatedFrom } : {}) } : undefined,
    // the key's AAGUID from its first registration, else from its getInfo (a run over CTAP that made none)
    aaguid: reg?.analysis.aaguid ?? ctx.ctap?.info?.aaguidText,
    verdict,
    counts,
    predictedRow: row ? { ...row.row, eligible: row.eligible && !requiredFailed, ...(getInfoDisagrees?.length ? { getInfoDisagrees } : {}) } : undefined,
    ...(notRun.length ? { notRun } : {}),
    ...(metadataMissing ? { metadataMissing } : {}),
    ...(o.passkeyProfiles ? { passkeyProfiles: predictPasskeyProfiles(o.passkeyProfiles.profiles, passkeyFacts(outcomes, reg?.parsed.authData.flags.BE, reg?.analysis.aaguid ?? ctx.ctap?.info?.aaguidText, metadataMissing), o.passkeyProfiles.source) } : {}),
    ...(o.shard ? { shard: { ...o.shard, checks: wanted.map((c) => c.id) } } : {}),
    ...(run.ctap ? { keyChanges: run.ctap.changes, keyChangeLines: describeKeyChanges(run.ctap.changes), ctap: { transport: run.ctap.transport, ...(run.ctap.brokenOff ? { brokenOff: run.ctap.brokenOff } : {}) } } : {}),
    outcomes,
    toFix,
  };
}
