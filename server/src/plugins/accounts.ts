import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRecord } from '../storage/AccountStore.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the person signed in to the harness (accounts on), or null */
    account: AccountRecord | null;
  }
  interface FastifyInstance {
    teams: Teams;
  }
}

export const ACCOUNT_COOKIE = 'fh_acct';
const FIND = /(?:^|;\s*)fh_acct=([A-Za-z0-9_-]{32,64})(?:;|$)/;
export const hashSecret = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** the session token in the request's account cookie, if it carries one of the right shape */
export const accountTokenOf = (req: FastifyRequest) => (req.headers.cookie ? FIND.exec(req.headers.cookie)?.[1] : undefined);

/** API paths open without an account: the page's configuration and the account routes themselves */
const OPEN = [/^\/api\/config(\?|$)/, /^\/api\/plan(\?|$)/, /^\/api\/account(\/|\?|$)/];

/** Who may see what: the one place the routes ask. With accounts off everything is everybody's. */
export interface Teams {
  readonly on: boolean;
  /** the team a new credential or run belongs to (null with accounts off) */
  owner(req: FastifyRequest): string | null;
  /** whether this request may read, change or delete what `team` owns (an admin may; nobody else's) */
  canSee(req: FastifyRequest, team: string | null | undefined): boolean;
  /** the one team whose things this request may list (undefined: every team's, accounts off or an admin) */
  listedTeam(req: FastifyRequest): string | undefined;
  /** who did it, for the record of deletions */
  actor(req: FastifyRequest): { byAccount: string | null; byName: string };
}

/**
 * Accounts on a shared server: the session cookie (an unguessable token, stored hashed, in the
 * database every instance shares) names the person; every API request but the open ones needs
 * one (401 ACCOUNT_REQUIRED), and the routes ask `app.teams` what the person may see.
 */
export const accountsPlugin = fp(
  async (app: FastifyInstance) => {
    const on = app.config.accounts;
    const teams: Teams = {
      on,
      owner: (req) => (on ? req.account!.team : null),
      canSee: (req, team) => !on || req.account?.role === 'admin' || (!!req.account && team === req.account.team),
      // no account on a server with accounts: the empty team name, which no team has, so nothing is listed
      listedTeam: (req) => (!on || req.account?.role === 'admin' ? undefined : (req.account?.team ?? '')),
      actor: (req) => (on && req.account ? { byAccount: req.account.id, byName: req.account.name } : { byAccount: null, byName: `${req.ip} (accounts off)` }),
    };
    app.decorate('teams', teams);
    app.decorateRequest('account', null);
    if (!on) return;
    // expired sessions and unused invites are refused anyway; this keeps the tables from growing
    const timer = setInterval(() => void app.stores.accounts.sweep(app.now()).catch((e: unknown) => app.log.warn({ err: e }, 'account sweep failed')), 10 * 60_000);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.url.startsWith('/api/')) return;
      const session = accountTokenOf(req);
      if (session) req.account = (await app.stores.accounts.sessionAccount(hashSecret(session), app.now())) ?? null;
      if (!req.account && !OPEN.some((p) => p.test(req.url))) {
        return reply.code(401).send({ error: { code: 'ACCOUNT_REQUIRED', message: 'this harness is shared: sign in first (open /account.html; an admin gives you an invite)' } });
      }
    });
  },
  { name: 'accounts', dependencies: ['config', 'store'] },
);
