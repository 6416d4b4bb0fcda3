import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ChallengeStore } from '../challenges/ChallengeStore.ts';
import type { RegistrationContext } from '../routes/registration.ts';
import type { AuthenticationContext } from '../routes/authentication.ts';
import type { RunStepContext } from '../routes/runs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    challenges: ChallengeStore<RegistrationContext | AuthenticationContext | RunStepContext>;
  }
}

export const challengesPlugin = fp(
  async (app: FastifyInstance) => {
    const store = new ChallengeStore<RegistrationContext | AuthenticationContext | RunStepContext>({ ttlMs: app.config.challengeTtlMs, now: app.now });
    app.decorate('challenges', store);
    const timer = setInterval(() => store.sweep(), Math.min(app.config.challengeTtlMs, 60_000));
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'challenges', dependencies: ['config'] },
);
