import crypto from 'node:crypto';
import { COSE_ALG } from '../../conformance/src/index.ts';

/**
 * Algorithms the RP offers, pinned explicitly (DESIGN: Chromium takes the first listed, and
 * library defaults differ between Node versions). ML-DSA is offered only when this
 * runtime's node:crypto verifies it, and never by default.
 */
export const DEFAULT_ALGORITHMS = [COSE_ALG.ES256, COSE_ALG.EdDSA, COSE_ALG.RS256, COSE_ALG.ES384];

function runtimeHasMlDsa(): boolean {
  try {
    crypto.generateKeyPairSync('ml-dsa-44' as 'ed25519');
    return true;
  } catch {
    return false;
  }
}

export const SUPPORTED_ALGORITHMS: number[] = [
  ...DEFAULT_ALGORITHMS,
  COSE_ALG.ES512,
  COSE_ALG.PS256,
  COSE_ALG.RS384,
  COSE_ALG.RS512,
  ...(runtimeHasMlDsa() ? [COSE_ALG.ML_DSA_44, COSE_ALG.ML_DSA_65, COSE_ALG.ML_DSA_87] : []),
];
