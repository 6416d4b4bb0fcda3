import { defineCheck, fail, pass, skip } from '../Check.ts';
import { declaredGetInfo } from './helpers.ts';

export const DECL_RK = defineCheck({
  id: 'DECL_RK',
  title: 'Declared resident-key support matches what the ceremonies showed',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO MDS 3.0 §4 (authenticatorGetInfo.options.rk) against CTAP 2.1 behaviour',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and sign-in-discoverable-1',
  fix: 'Make authenticatorGetInfo.options.rk in the statement say what the key does.',
  evaluate(ctx) {
    const gi = declaredGetInfo(ctx);
    if (!gi) return skip('no MDS statement with authenticatorGetInfo');
    const c = ctx.step('sign-in-discoverable-1');
    const observed = !!ctx.assertions.find((a) => a.ceremony === c && a.parsed.userHandle);
    const declared = gi.options?.rk === true;
    return declared === observed ? pass(`rk ${declared ? 'declared and working' : 'neither declared nor observed'}`, ['mds', 'sign-in-discoverable-1']) : fail('declared and observed resident-key support differ', `rk ${declared}`, `discoverable sign-in ${observed ? 'worked' : 'did not work'}`, ['mds', 'sign-in-discoverable-1']);
  },
});
