import { defineCheck, fail, pass, skip } from '../Check.ts';

export const HYG_CANONICAL_CBOR = defineCheck({
  id: 'HYG_CANONICAL_CBOR',
  title: 'Responses use CTAP2 canonical CBOR',
  area: 'hygiene',
  severity: 'recommended',
  source: 'CTAP 2.1 §8 (CTAP2 canonical CBOR encoding form)',
  needs: 'every ceremony',
  fix: 'Encode maps with keys sorted length-first then bytewise, integers and lengths in their shortest form, no indefinite lengths: many RPs (this harness\'s server among them) refuse anything else.',
  evaluate(ctx) {
    const all = [...ctx.registrations, ...ctx.assertions];
    if (!all.length) return skip('no ceremony succeeded');
    const bad = all.filter((v) => v.parsed.nonCanonical.length);
    return bad.length ? fail('non-canonical CBOR', 'canonical CBOR everywhere', bad.map((v) => `${v.ceremony.step}: ${v.parsed.nonCanonical[0]}`).join('; '), bad.map((v) => v.ceremony.step)) : pass(`${all.length} responses canonical`);
  },
});
