import { defineCheck, fail, pass, skip } from '../Check.ts';
import { declaredGetInfo } from './helpers.ts';

export const DECL_UV_OR_CLIENT_PIN = defineCheck({
  id: 'DECL_UV_OR_CLIENT_PIN',
  title: 'Declared user verification (uv / clientPin) matches what the ceremonies showed',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO MDS 3.0 §4 (authenticatorGetInfo.options uv, clientPin)',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and ceremonies requiring UV',
  fix: 'Declare clientPin and/or uv exactly as the key reports them in authenticatorGetInfo.',
  evaluate(ctx) {
    const gi = declaredGetInfo(ctx);
    if (!gi) return skip('no MDS statement with authenticatorGetInfo');
    const declared = 'uv' in (gi.options ?? {}) || 'clientPin' in (gi.options ?? {}); // false too: supported, not set up (CTAP 2.1 §6.4)
    const observed = [...ctx.registrations, ...ctx.assertions].some((v) => v.parsed.authData.flags.UV);
    return declared === observed ? pass(`user verification ${declared ? 'declared and observed' : 'neither declared nor observed'}`, ['mds']) : fail('declared and observed user verification differ', declared ? 'UV=1 in ceremonies' : 'no uv/clientPin declared', observed ? 'UV=1 observed, not declared' : 'declared, never observed', ['mds']);
  },
});
