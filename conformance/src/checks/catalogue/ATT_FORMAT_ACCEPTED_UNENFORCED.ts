import { defineCheck, fail, pass } from '../Check.ts';
import { ENTRA, firstRegistration, isResult } from './helpers.ts';

const ACCEPTED = new Set(['none', 'tpm', 'packed']);

export const ATT_FORMAT_ACCEPTED_UNENFORCED = defineCheck({
  id: 'ATT_FORMAT_ACCEPTED_UNENFORCED',
  title: 'Attestation format is one Entra accepts when attestation is not enforced',
  area: 'entra-not-enforced',
  severity: 'required',
  source: `${ENTRA}: attestation not enforced: none, tpm, packed (AttCA) or a custom format of at most 32 characters`,
  needs: 'a registration',
  fix: 'Use "packed", "tpm" or "none", or keep a custom format name to 32 characters or fewer.',
  evaluate(ctx) {
    const r = firstRegistration(ctx);
    if (isResult(r)) return r;
    const fmt = r.analysis.fmt;
    const custom = !['packed', 'tpm', 'none', 'android-key', 'android-safetynet', 'fido-u2f', 'apple'].includes(fmt);
    const ok = ACCEPTED.has(fmt) || (custom && fmt.length <= 32);
    return ok ? pass(`format "${fmt}"${custom ? ` (custom, ${fmt.length} characters)` : ''}`, [r.ceremony.step]) : fail(`format "${fmt}" is not accepted`, 'none, tpm, packed, or a custom name <= 32 characters', `${fmt} (${fmt.length} characters)`, [r.ceremony.step]);
  },
});
