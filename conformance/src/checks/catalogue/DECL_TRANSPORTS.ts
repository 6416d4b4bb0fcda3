import { defineCheck, fail, pass, skip } from '../Check.ts';
import { declaredGetInfo } from './helpers.ts';

export const DECL_TRANSPORTS = defineCheck({
  id: 'DECL_TRANSPORTS',
  title: 'Transports the key reported are among those the metadata declares',
  area: 'declared-vs-observed',
  needsMetadata: true,
  severity: 'recommended',
  source: 'FIDO MDS 3.0 §4 (authenticatorGetInfo.transports); WebAuthn L3 §5.2.1 (getTransports)',
  covers: ['Metadata-Stmt-1'],
  needs: 'the MDS entry and a registration with transports',
  fix: 'Declare every transport the key supports in authenticatorGetInfo.transports (this also fills the USB/NFC/BLE columns of Microsoft\'s table).',
  evaluate(ctx) {
    const gi = declaredGetInfo(ctx);
    const r = ctx.registrations[0];
    if (!gi) return skip('no MDS statement with authenticatorGetInfo');
    if (!gi.transports?.length || !r) return skip(!r ? 'no registration' : 'the statement declares no transports');
    const extra = r.parsed.transports.filter((t) => !gi.transports!.includes(t) && t !== 'hybrid');
    return extra.length ? fail('the key reported transports the metadata does not declare', JSON.stringify(gi.transports), JSON.stringify(r.parsed.transports), ['mds', r.ceremony.step]) : pass(`reported ${JSON.stringify(r.parsed.transports)} within ${JSON.stringify(gi.transports)}`, ['mds', r.ceremony.step]);
  },
});
