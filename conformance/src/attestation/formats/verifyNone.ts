import type { FormatInput, FormatResult } from '../FormatVerifier.ts';
import { verdict } from '../../findings/Finding.ts';

/** "none" (WebAuthn L3 §8.7): the statement must be an empty map. */
export function verifyNone(input: FormatInput): FormatResult {
  return {
    findings: [verdict('ATT_NONE_EMPTY', input.attStmt.size === 0, 'WebAuthn L3 §8.7', 'attStmt is an empty map', '{}', `${input.attStmt.size} member(s): ${[...input.attStmt.keys()].join(', ')}`)],
    type: 'none',
    trustPath: [],
  };
}
