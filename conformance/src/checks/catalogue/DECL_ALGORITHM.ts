import { defineCheck } from '../Check.ts';
import { registrationMetadataFinding } from './helpers.ts';

export const DECL_ALGORITHM = defineCheck({
  id: 'DECL_ALGORITHM',
  title: 'The credential algorithm is one the metadata declares',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO MDS 3.0 §4 (authenticationAlgorithms)',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and a registration',
  fix: 'List every algorithm the key creates credentials with in authenticationAlgorithms.',
  evaluate(ctx) {
    return registrationMetadataFinding(ctx, 'MDS_ALGORITHM', 'the statement declares no authenticationAlgorithms');
  },
});
