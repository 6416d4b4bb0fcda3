import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    sessionId: string;
  }
}

const COOKIE = 'fh_sid';
/** our own cookie, found among others: fh_sid=<22-64 base64url chars> */
const FIND = /(?:^|;\s*)fh_sid=([A-Za-z0-9_-]{22,64})(?:;|$)/;

/**
 * A browser session is an unguessable cookie; challenges are bound to it so a response
 * captured from one browser cannot be completed from another. HttpOnly + SameSite=Strict.
 * One cookie of fixed shape, so it is read and written here directly (this hook runs on
 * every API request; a general cookie plugin cost measurable time in the bench).
 */
export const sessionPlugin = fp(
  async (app: FastifyInstance) => {
    const attributes = `; Path=/api; HttpOnly; SameSite=Strict${app.config.tls ? '; Secure' : ''}`;
    app.decorateRequest('sessionId', '');
    app.addHook('onRequest', (req, reply, done) => {
      if (!req.url.startsWith('/api/')) return done();
      const header = req.headers.cookie;
      const m = header ? FIND.exec(header) : null;
      if (m) {
        req.sessionId = m[1]!;
      } else {
        req.sessionId = crypto.randomBytes(18).toString('base64url');
        reply.header('set-cookie', `${COOKIE}=${req.sessionId}${attributes}`);
      }
      done();
    });
  },
  { name: 'session', dependencies: ['config'] },
);
