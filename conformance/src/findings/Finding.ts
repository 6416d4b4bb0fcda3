import type { FindingCode } from './findingCodes.ts';

/**
 * One spec step's verdict. `code` is stable: vendors quote it. A failing finding is an
 * authenticator (or client) defect, not an exception.
 */
export interface Finding {
  code: FindingCode;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  /** the spec step this enforces, e.g. "WebAuthn L3 §7.2 step 15" */
  spec: string;
  message: string;
  expected?: string;
  actual?: string;
  /** what the finding is about: a certificate (subject and SHA-256) or the bytes concerned */
  evidence?: string;
}

export function firstFailure(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.status === 'fail');
}

/** pass when `ok`, else fail with what was expected and what came. */
export function verdict(code: FindingCode, ok: boolean, spec: string, message: string, expected?: string, actual?: string): Finding {
  return ok ? { code, status: 'pass', spec, message } : { code, status: 'fail', spec, message, expected, actual };
}

/** a step that could not be judged, and why */
export function skipped(code: FindingCode, spec: string, why: string): Finding {
  return { code, status: 'skip', spec, message: `not checked: ${why}` };
}
