import type { FindingCode } from '../../findings/findingCodes.ts';
import type { AssertionView, EvaluationContext, RegistrationView } from '../EvaluationContext.ts';
import { defineCheck, fail, pass, skip, type CheckId, type CheckResult, type Evidence } from '../Check.ts';
import { entraEligibility, ENTRA_CRITERIA, type EntraCriterion } from '../../mds/entraEligibility.ts';

/** The first registration of the run (account 1), or a skip result saying why there is none. */
export function firstRegistration(ctx: EvaluationContext): RegistrationView | CheckResult {
  const r = ctx.registrations[0];
  if (r) return r;
  const failed = ctx.failedCeremonies.find((c) => c.kind === 'registration');
  return skip(failed ? `no registration succeeded (${failed.step}: ${failed.error?.name}: ${failed.error?.message})` : 'the run has no registration');
}

/**
 * A rule every successful response must keep: skip when none succeeded, else fail naming each
 * response that breaks it (`broken` returns why, '' when the step name says enough).
 */
export function everyResponse(ctx: EvaluationContext, rule: { broken: (v: RegistrationView | AssertionView) => string | undefined; what: string; expected: string; ok: (n: number) => string }): CheckResult {
  const all = [...ctx.registrations, ...ctx.assertions];
  if (!all.length) return skip('no ceremony succeeded');
  const bad = all.flatMap((v) => {
    const why = rule.broken(v);
    return why === undefined ? [] : [{ step: v.ceremony.step, why }];
  });
  return bad.length ? fail(rule.what, rule.expected, bad.map((b) => (b.why ? `${b.step}: ${b.why}` : b.step)).join('; '), bad.map((b) => b.step)) : pass(rule.ok(all.length));
}

export function isResult(x: unknown): x is CheckResult {
  return typeof x === 'object' && x !== null && 'status' in x && 'message' in x;
}

/** authenticatorGetInfo as the MDS entry declares it */
export function declaredGetInfo(ctx: EvaluationContext) {
  return (ctx.entry?.metadataStatement?.authenticatorGetInfo ?? undefined) as { versions?: string[]; extensions?: string[]; options?: Record<string, boolean>; transports?: string[] } | undefined;
}

/**
 * Why the key has no metadata entry, in words: no metadata loaded at all is not the same finding
 * as a key missing from the BLOB that was loaded.
 */
export function noEntry(ctx: EvaluationContext): { message: string; actual: string } {
  const aaguid = ctx.registrations[0]?.analysis.aaguid ?? ctx.ctap?.info?.aaguidText;
  const mds = ctx.run.mds;
  if (!mds) return { message: 'no metadata was loaded (no MDS BLOB, no draft statement): the key could not be looked up', actual: 'no metadata loaded' };
  const given = mds.no ? `MDS BLOB no ${mds.no}` : 'the statements given';
  return { message: `the key${aaguid ? ` (AAGUID ${aaguid})` : ''} is not in ${given}`, actual: `no entry in ${given}` };
}

/**
 * A metadata check without the key's entry: with no metadata loaded at all, not judged (said once
 * in the report's metadataMissing note; the verdict is "incomplete"); with metadata loaded and
 * looked up, a failure saying the key is not in it.
 */
export function failNoEntry(ctx: EvaluationContext, expected: string, evidence?: Evidence[], message = (m: string) => m): CheckResult {
  if (!ctx.run.mds) return NOT_JUDGED_NO_METADATA;
  const n = noEntry(ctx);
  return fail(message(n.message), expected, n.actual, evidence);
}

/** A metadata check when no metadata was loaded: not judged, never a failure repeating the same fix. */
export const NOT_JUDGED_NO_METADATA: CheckResult = { status: 'skip', message: 'not judged: no metadata loaded', notRun: 'metadata' };

/** A check that reads the key's entry and cannot without one: skipped (`why`) when metadata was loaded, not judged when none was. */
export function skipNoEntry(ctx: EvaluationContext, why: string): CheckResult {
  return ctx.run.mds ? skip(why) : NOT_JUDGED_NO_METADATA;
}

/**
 * A declared-vs-observed check that is the first registration's metadata finding (`code`, from
 * analyzeRegistration) as a check result; skipped with `absent` when the analysis made none.
 */
export function registrationMetadataFinding(ctx: EvaluationContext, code: FindingCode, absent: string): CheckResult {
  const r = ctx.registrations[0];
  if (!r) return skip('no registration');
  if (!ctx.entry) return skipNoEntry(ctx, 'no MDS entry');
  const f = r.analysis.findings.find((x) => x.code === code);
  if (!f) return skip(absent);
  return f.status === 'pass' ? pass(f.message, ['mds', r.ceremony.step]) : fail(f.message, f.expected ?? '', f.actual ?? '', ['mds', r.ceremony.step]);
}

export const ENTRA = 'Microsoft Entra ID, attestation for passkey (FIDO2) vendors (concept-fido2-hardware-vendor)';
export const WINDOWS = 'Windows, Microsoft-compatible security key (microsoft-compatible-security-key)';

/** A check that the MDS statement meets one of Entra's declared-capability criteria. */
export function mdsDeclares(id: CheckId, criterion: EntraCriterion, title: string, fix: string) {
  return defineCheck({
    id,
    title,
    area: 'entra-enforced',
    needsMetadata: true,
    severity: 'required',
    source: `${ENTRA}; FIDO MDS 3.0 §4 (authenticatorGetInfo)`,
    covers: ['Metadata-Stmt-1'],
    needs: 'the MDS entry',
    fix,
    evaluate(ctx) {
      if (!ctx.entry) return failNoEntry(ctx, ENTRA_CRITERIA[criterion]);
      const miss = entraEligibility(ctx.entry, ctx.at).failed.find((f) => f.criterion === criterion);
      return miss ? fail('the metadata statement does not meet this criterion', ENTRA_CRITERIA[criterion], miss.why, ['mds']) : pass(ENTRA_CRITERIA[criterion], ['mds']);
    },
  });
}
