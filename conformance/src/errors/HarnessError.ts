import type { ErrorCode } from './errorCodes.ts';

/**
 * A bad input or a harness bug: thrown, never returned. `code` is stable (vendors and
 * scripts match on it); `message` says what was expected and what came.
 * An authenticator defect is NOT a HarnessError: it is a finding/outcome.
 */
export class HarnessError extends Error {
  readonly code: ErrorCode;
  /** HTTP-ish status a server should map this to (400 for bad input by default). */
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.status = options.status ?? 400;
  }
}

export function isHarnessError(e: unknown): e is HarnessError {
  return e instanceof HarnessError;
}
