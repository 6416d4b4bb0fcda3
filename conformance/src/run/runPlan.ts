import crypto from 'node:crypto';
import type { Ceremony, RunEvidence } from '../checks/RunEvidence.ts';
import { CEREMONY_PLAN, optionsFor, type Account, type PlanStep } from '../checks/ceremonyPlan.ts';

/** What a ceremony came to: the response JSON a browser would return, or the error it raised. */
export type CeremonyOutcome = { response: Record<string, any>; error?: undefined } | { error: { name: string; message: string }; response?: undefined };

/**
 * Whoever performs ceremonies: the software key in this process, a browser page with a virtual
 * or physical authenticator, the WebAuthn client over CTAP. Given the step (its account tells a
 * driver which account a person would pick) and the options JSON the RP sends.
 */
export type Perform = (step: PlanStep, options: Record<string, any>) => Promise<CeremonyOutcome>;

export interface RunTarget {
  rp: { id: string; name: string };
  origin: string;
  subject: RunEvidence['subject'];
  now?: () => Date;
}

/** A run with nothing performed yet. */
export function newRun(t: RunTarget): RunEvidence {
  const now = t.now ?? (() => new Date());
  return { schemaVersion: 1, id: crypto.randomUUID(), startedAt: now().toISOString(), subject: t.subject, rpId: t.rp.id, origin: t.origin, ceremonies: [] };
}

/** The credentials the run registered so far, by account (what allowCredentials names). */
export function registeredCredentials(run: RunEvidence): Partial<Record<Account, string>> {
  const out: Partial<Record<Account, string>> = {};
  for (const s of CEREMONY_PLAN) {
    const c = run.ceremonies.find((x) => x.step === s.step && x.response);
    if (s.kind === 'registration' && s.account && c?.response && typeof c.response.id === 'string') out[s.account] = c.response.id;
  }
  return out;
}

/** The options JSON for one step of this run (a fresh challenge every time). */
export function stepOptions(run: RunEvidence, step: PlanStep, rp: { id: string; name: string }): Record<string, any> {
  return optionsFor(step, rp, registeredCredentials(run));
}

/**
 * Record what a step came to. A repeated step replaces its earlier attempt; the run is finished
 * when every step of the plan has an outcome.
 */
export function recordStep(run: RunEvidence, step: PlanStep, options: Record<string, any>, outcome: CeremonyOutcome, at: Date): Ceremony {
  const c: Ceremony = { step: step.step, kind: step.kind, options, ...(outcome.response ? { response: outcome.response } : { error: outcome.error }), at: at.toISOString() };
  run.ceremonies = [...run.ceremonies.filter((x) => x.step !== step.step), c].sort((a, b) => CEREMONY_PLAN.findIndex((s) => s.step === a.step) - CEREMONY_PLAN.findIndex((s) => s.step === b.step));
  if (CEREMONY_PLAN.every((s) => run.ceremonies.some((x) => x.step === s.step))) run.finishedAt ??= at.toISOString();
  return c;
}

/**
 * Thrown by a performer when the authenticator is gone (unplugged, the simulator stopped): the
 * step is recorded with this error and the run ends there, keeping what ran.
 */
export class RunInterrupted extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunInterrupted';
  }
}

/**
 * The whole plan, in order, through one performer: the loop every driver shares (software key,
 * Chromium virtual authenticators, the Playwright export, a key over CTAP).
 */
export async function runPlan(t: RunTarget & { perform: Perform }): Promise<RunEvidence> {
  const now = t.now ?? (() => new Date());
  const run = newRun(t);
  for (const step of CEREMONY_PLAN) {
    const options = stepOptions(run, step, t.rp);
    let outcome: CeremonyOutcome;
    try {
      outcome = await t.perform(step, options);
    } catch (e) {
      outcome = { error: { name: e instanceof RunInterrupted ? 'RunInterrupted' : 'Error', message: (e as Error).message } };
      if (e instanceof RunInterrupted) {
        recordStep(run, step, options, outcome, now());
        run.interrupted = `${step.step}: ${(e as Error).message}`;
        return run;
      }
    }
    recordStep(run, step, options, outcome, now());
  }
  run.finishedAt = now().toISOString();
  return run;
}
