import type { EvaluationContext } from '../EvaluationContext.ts';
import { fail, needsFlag, notApplicable, pass, skip, type CheckResult, type Evidence } from '../Check.ts';
import type { CtapEvidence, CtapProbeName, HidAnswer } from '../ctap/CtapEvidence.ts';
import type { AuthenticatorInfo } from '../../ctap/ctap2/getInfo.ts';

export const CTAP21 = 'FIDO CTAP 2.1 (Proposed Standard, 2021-06-15)';
export const CTAP23 = 'FIDO CTAP 2.3 (Proposed Standard, 2026-02-26)';
/** a FIDO conformance tools test script, as a source */
export const fidoTest = (...scripts: string[]) => `FIDO conformance tools, CTAP 2.3 authenticator module: ${scripts.join(', ')}`;
export const NEEDS_CTAP = 'needs the key over CTAP: check --ctap, check --emulate, or the guided run over USB';

/** The key's getInfo as it answered, or why a check cannot judge it. */
export function ctapInfo(ctx: EvaluationContext): AuthenticatorInfo | CheckResult {
  if (!ctx.ctap) return skip(NEEDS_CTAP);
  if (!ctx.ctap.info) return fail('authenticatorGetInfo is not a CBOR map', 'a CBOR map (CTAP 2.1 §6.4)', ctx.ctap.infoError ?? 'undecodable', ['ctap:getInfo']);
  return ctx.ctap.info;
}

/**
 * One probe's record, or the result that says why there is none: not a CTAP run, not reached
 * (the key stopped answering), broke off (a fail naming the key's answer: that is the defect), or
 * skipped (not applicable when the key lacks the feature).
 */
export function ctapProbe<K extends CtapProbeName>(ctx: EvaluationContext, name: K): NonNullable<CtapEvidence['probes'][K]> | CheckResult {
  const ev = ctx.ctap?.evidence;
  if (!ev) return skip(NEEDS_CTAP);
  const p = ev.probes[name];
  if (!p) return skip(ev.brokenOff ? `not reached: ${ev.brokenOff}` : `the ${name} probe did not run`);
  if (p.error) return fail(`the ${name} probe broke off`, 'an answer to every request of the probe', p.error, [`ctap:${name}`]);
  if (p.notRun) return needsFlag(p.notRun, p.skipped ?? `the ${name} probe changes the key`);
  if (p.skipped) return p.notApplicable ? notApplicable(p.skipped) : skip(p.skipped);
  return p;
}

/** "CTAP2_ERR_PIN_INVALID" for "CTAP2_ERR_PIN_INVALID (0x31)", "OK" as is. */
export const bare = (s: string | undefined) => (s ?? 'nothing').replace(/ \(0x[0-9a-f]+\)$/, '');

/** A CTAPHID answer in words ("ERR CTAP1_ERR_INVALID_CHANNEL", "no answer", "answered CTAPHID 0x01 with 3 bytes"). */
export function hidAnswerText(a: HidAnswer | undefined): string {
  if (!a) return 'not tried';
  if (a.kind === 'error') return `CTAPHID_ERROR ${bare(a.code)}`;
  if (a.kind === 'silent') return 'no answer';
  if (a.kind === 'garbled') return `a broken answer (${a.why})`;
  return `an answer (command 0x${a.cmd.toString(16).padStart(2, '0')}, ${a.length} bytes)`;
}

/** the answer is CTAPHID_ERROR with this code */
export const hidErrorIs = (a: HidAnswer | undefined, code: string) => a?.kind === 'error' && bare(a.code) === code;

/** problems -> a fail naming each, or a pass */
export function verdict(problems: string[], o: { what: string; expected: string; ok: string; evidence: Evidence[] }): CheckResult {
  return problems.length ? fail(o.what, o.expected, problems.join('; '), o.evidence) : pass(o.ok, o.evidence);
}

/**
 * Whether the key says when it waits for a touch (KEEPALIVE UP_NEEDED, seen by the userPresence
 * probe). A key that never does cannot show whether it asked for a touch elsewhere either: the
 * checks that look for one leave that part to CTAP_USER_PRESENCE instead of failing it again.
 */
export function keySignalsTouch(ctx: EvaluationContext): boolean {
  const up = ctx.ctap?.evidence?.probes.userPresence;
  return !up?.touched || up.touched.keepalives.includes(2);
}
