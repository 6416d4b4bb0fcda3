import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    sessionId: string;
  }
}

const COOKIE = 'fh_sid';
const SID = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * A browser session is an unguessable cookie; challenges are bound to it so a response
 * captured from one browser cannot be completed from another. HttpOnly + SameSite=Strict.
 */
export const sessionPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(cookie);
    app.decorateRequest('sessionId', '');
    app.addHook('onRequest', async (req, reply) => {
      if (!req.url.startsWith('/api/')) return;
      const sid = req.cookies[COOKIE];
      if (sid && SID.test(sid)) {
        req.sessionId = sid;
        return;
      }
      req.sessionId = crypto.randomBytes(18).toString('base64url');
      reply.setCookie(COOKIE, req.sessionId, { path: '/api', httpOnly: true, sameSite: 'strict', secure: !!app.config.tls });
    });
  },
  { name: 'session', dependencies: ['config'] },
);
