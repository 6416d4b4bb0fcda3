import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { memoryChallenges, type Challenges } from '../challenges/ChallengeStore.ts';
import type { RegistrationContext } from '../routes/registration.ts';
import type { AuthenticationContext } from '../routes/authentication.ts';
import type { RunStepContext } from '../routes/runs.ts';
import type { AccountRegistrationContext, AccountSignInContext } from '../routes/accounts.ts';

declare module 'fastify' {
  interface FastifyInstance {
    challenges: Challenges<CeremonyContext>;
  }
}

export type CeremonyContext = RegistrationContext | AuthenticationContext | RunStepContext | AccountRegistrationContext | AccountSignInContext;

/** Challenges in this process, or in the database the stores share with other instances. */
export const challengesPlugin = fp(
  async (app: FastifyInstance) => {
    const limits = { ttlMs: app.config.challengeTtlMs, now: app.now };
    const store = app.stores.challenges ? app.stores.challenges<CeremonyContext>(limits) : memoryChallenges<CeremonyContext>(limits);
    app.decorate('challenges', store);
    const timer = setInterval(() => void store.sweep().catch((e: unknown) => app.log.warn({ err: e }, 'challenge sweep failed')), Math.min(app.config.challengeTtlMs, 60_000));
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'challenges', dependencies: ['config', 'store'] },
);
