import { defineCheck, fail, pass } from '../Check.ts';
import { WINDOWS } from './helpers.ts';
import { userIdFor, type StepName } from '../ceremonyPlan.ts';
import { toBase64url } from '../../encoding/base64url.ts';

export const RK_MULTIPLE_ACCOUNTS_PER_RP = defineCheck({
  id: 'RK_MULTIPLE_ACCOUNTS_PER_RP',
  title: 'Multiple accounts per RP: two users on one RP, each found by discoverable sign-in, neither overwriting the other',
  area: 'windows',
  severity: 'required',
  source: `${WINDOWS}: multiple accounts per RP; CTAP 2.1 §6.1.2 step 17 (only the same user handle replaces)`,
  covers: ['ResidentKey'],
  needs: 'register-account-1, register-account-2, sign-in-discoverable-1, sign-in-discoverable-2',
  fix: 'Keep one resident credential per (rpId, user handle); a new user handle on the same RP must add a credential, not replace the existing one.',
  evaluate(ctx) {
    const steps: StepName[] = ['register-account-1', 'register-account-2', 'sign-in-discoverable-1', 'sign-in-discoverable-2'];
    const regs = (['register-account-1', 'register-account-2'] as const).map((s) => ctx.registrations.find((r) => r.ceremony.step === s));
    if (!regs[0] || !regs[1]) return fail('two registrations on the RP did not both succeed', 'two registered accounts', regs.map((r, i) => (r ? `account ${i + 1} ok` : `account ${i + 1} failed`)).join(', '), steps);
    if (regs[0].credentialId === regs[1].credentialId) return fail('both accounts got the same credential ID', 'two credentials', regs[0].credentialId, steps);
    for (const account of [1, 2] as const) {
      const step = account === 1 ? 'sign-in-discoverable-1' : 'sign-in-discoverable-2';
      const a = ctx.assertions.find((x) => x.ceremony.step === step);
      const handle = a?.parsed.userHandle ? toBase64url(a.parsed.userHandle) : undefined;
      if (handle !== userIdFor(account)) return fail(`account ${account} was not found by discoverable sign-in`, `user handle of account ${account}`, handle ?? (ctx.step(step)?.error?.name ?? 'no assertion'), steps);
      if (a!.registration?.credentialId !== regs[account - 1]!.credentialId) return fail(`account ${account} answered with another credential`, regs[account - 1]!.credentialId, a!.credentialId, steps);
    }
    return pass('both accounts registered and found, each with its own credential', steps);
  },
});
