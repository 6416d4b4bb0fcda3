import { defineCheck, fail, pass, skip } from '../Check.ts';
import { declaredGetInfo } from './helpers.ts';

export const DECL_EXTENSIONS = defineCheck({
  id: 'DECL_EXTENSIONS',
  title: 'Declared extensions (hmac-secret, credProtect, credBlob) match what the ceremonies showed',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO MDS 3.0 §4 (authenticatorGetInfo.extensions); CTAP 2.1 §12',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and register-account-1 (hmacCreateSecret, credProtect, credBlob requested)',
  fix: 'List in authenticatorGetInfo.extensions exactly the extensions the key implements.',
  evaluate(ctx) {
    const gi = declaredGetInfo(ctx);
    const r = ctx.registrations.find((x) => x.ceremony.options.extensions?.hmacCreateSecret);
    if (!gi || !r) return skip(gi ? 'no registration asked for extensions' : 'no MDS statement with authenticatorGetInfo');
    const ext = r.parsed.authData.extensions;
    const problems: string[] = [];
    for (const name of ['hmac-secret', 'credProtect', 'credBlob']) {
      const declared = (gi.extensions ?? []).includes(name);
      // credBlob answers false when it could not store the blob: present but false is "not supported"
      const observed = ext?.has(name) === true && ext.get(name) !== false;
      if (declared !== observed) problems.push(`${name}: ${declared ? 'declared, not returned' : 'returned, not declared'}`);
    }
    return problems.length ? fail('declared and observed extensions differ', `extensions ${JSON.stringify(gi.extensions ?? [])}`, problems.join('; '), ['mds', r.ceremony.step]) : pass('hmac-secret, credProtect and credBlob as declared', ['mds', r.ceremony.step]);
  },
});
