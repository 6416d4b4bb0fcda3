/**
 * One spec step's verdict. `code` is stable: vendors quote it. A failing finding is an
 * authenticator (or client) defect, not an exception.
 */
export interface Finding {
  code: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  /** the spec step this enforces, e.g. "WebAuthn L3 §7.2 step 15" */
  spec: string;
  message: string;
  expected?: string;
  actual?: string;
  /** what the finding is about: a certificate (subject and SHA-256) or the bytes concerned */
  evidence?: string;
}

export function firstFailure(findings: Finding[]): Finding | undefined {
  return findings.find((f) => f.status === 'fail');
}
