import type { EvaluationContext } from './EvaluationContext.ts';
import type { CheckArea, CheckId } from './checkIds.ts';
import type { StepName } from './ceremonyPlan.ts';
import type { CtapProbeName } from './ctap/CtapEvidence.ts';
import type { FidoTestScript } from './fidoTestGroups.ts';

export type { CheckArea, CheckId } from './checkIds.ts';
export type Severity = 'required' | 'recommended' | 'info';

/** A catalogue entry. IDs are stable SCREAMING_SNAKE with an area prefix: vendors quote them. */
export interface CheckDefinition {
  id: CheckId;
  title: string;
  area: CheckArea;
  severity: Severity;
  /** the document and section it enforces */
  source: string;
  /** what evidence it needs, in words (which plan steps, MDS entry…) */
  needs: string;
  /** it judges the key's metadata entry: without one, its failure has one cause and one fix (load metadata) */
  needsMetadata?: boolean;
  /** how a vendor fixes a failure */
  fix: string;
  /** the FIDO conformance tools' CTAP 2.3 test scripts this check covers (the coverage table) */
  covers?: readonly FidoTestScript[];
  /**
   * what the check's probe does to the key beyond the run's own credentials, and the flag that
   * allows it: '--destructive' (PIN, configuration, fingers, large blobs) or '--allow-reset'
   */
  changesKey?: { flag: '--destructive' | '--allow-reset'; what: string };
  evaluate(ctx: EvaluationContext): CheckResult;
}

/** A check's verdict on one run: a defect is a fail with expected and actual, never a bare false. */
export interface CheckResult {
  status: 'pass' | 'fail' | 'skip';
  message: string;
  expected?: string;
  actual?: string;
  /** the ceremonies (plan steps) or metadata it looked at */
  evidence?: Evidence[];
  /** a skip because the key does not have the feature at all (no U2F, no credential management): not held against the verdict */
  notApplicable?: boolean;
  /** the run is not finished and the steps this check looks at have not all run yet: not a verdict */
  pending?: boolean;
  /**
   * a skip because the person did not allow what the check must do to the key (the flag it
   * needs, e.g. "--destructive"): not held against the verdict, and the report says how to run it
   */
  notRun?: string;
}

/** a plan step, 'mds' for the key's metadata entry, or one of the CTAP probes */
export type Evidence = StepName | 'mds' | `ctap:${CtapProbeName}` | 'ctap:getInfo';

export const pass = (message: string, evidence?: Evidence[]): CheckResult => ({ status: 'pass', message, evidence });
export const fail = (message: string, expected: string, actual: string, evidence?: Evidence[]): CheckResult => ({ status: 'fail', message, expected, actual, evidence });
export const skip = (message: string): CheckResult => ({ status: 'skip', message });
/** The key does not have the feature this check is about: a skip that does not count against the verdict. */
export const notApplicable = (message: string): CheckResult => ({ status: 'skip', message, notApplicable: true });

/** The check changes the key in a way only `flag` allows: not run, and not held against the verdict. */
export const needsFlag = (flag: string, what: string): CheckResult => ({ status: 'skip', message: `not run: needs ${flag} (${what})`, notRun: flag });

export function defineCheck(d: CheckDefinition): CheckDefinition {
  return d;
}
