import { defineCheck, fail, pass, skip } from '../Check.ts';
import { NOT_JUDGED_NO_METADATA } from './helpers.ts';

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
    const r = ctx.registrations[0];
    if (!r) return skip('no registration');
    if (!ctx.entry) return ctx.run.mds ? skip('no MDS entry') : NOT_JUDGED_NO_METADATA;
    const f = r.analysis.findings.find((x) => x.code === 'MDS_ALGORITHM');
    if (!f) return skip('the statement declares no authenticationAlgorithms');
    return f.status === 'pass' ? pass(f.message, ['mds', r.ceremony.step]) : fail(f.message, f.expected ?? '', f.actual ?? '', ['mds', r.ceremony.step]);
  },
});
