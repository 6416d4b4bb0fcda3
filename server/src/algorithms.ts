import { COSE_ALG, VERIFIABLE_ALGORITHMS } from '../../conformance/src/index.ts';

/**
 * Algorithms the RP offers, pinned explicitly (DESIGN: Chromium takes the first listed, and
 * library defaults differ between Node versions). Every algorithm the harness verifies
 * can be ticked on the demo page (ML-DSA only where this runtime's node:crypto has it).
 */
export const DEFAULT_ALGORITHMS = [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256, COSE_ALG.ES384];

/** every algorithm the harness verifies on this runtime (ML-DSA only where node:crypto has it): the demo page's list */
export const SUPPORTED_ALGORITHMS: number[] = [...DEFAULT_ALGORITHMS, ...VERIFIABLE_ALGORITHMS.filter((a) => !DEFAULT_ALGORITHMS.includes(a as -7))];
