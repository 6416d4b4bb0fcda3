import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../config.ts';

const TOKEN_COOKIE = 'fh_token';
/** the methods that change something: refused cross-site, and (but DELETE) only with a JSON body */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FIND_TOKEN = /(?:^|;\s*)fh_token=([\x21-\x3a\x3c-\x7e]{16,256})(?:;|$)/;

/** The hostname of a Host header ("[::1]:8080" -> "::1", "Example.test:80" -> "example.test"). */
export function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return m?.[1]?.toLowerCase();
}

/** two secrets compared in constant time */
export const sameSecret = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

const tokenCookieOf = (req: FastifyRequest) => (req.headers.cookie ? FIND_TOKEN.exec(req.headers.cookie)?.[1] : undefined);

/** the access token a request presents: `Authorization: Bearer`, then the cookie, then `?token=` */
export function presentedToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  const query = (req.query as Record<string, unknown> | undefined)?.token;
  return (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined) ?? tokenCookieOf(req) ?? (typeof query === 'string' ? query : undefined);
}

/**
 * Who may talk to this server. Bound to loopback: only requests naming a host this server is
 * configured for (its RP ID, its origins' hosts, localhost and the loopback addresses), which
 * stops DNS rebinding (a page on evil.example resolving to 127.0.0.1). Bound beyond loopback:
 * every request carries the access token (in the URL the server printed, then in an HttpOnly
 * cookie; or `Authorization: Bearer`), since anyone on the network could otherwise register keys
 * for other users, delete credentials or overwrite someone's guided run.
 */
export const accessPlugin = fp(
  async (app: FastifyInstance) => {
    const c = app.config;
    const loopback = isLoopbackHost(c.host);
    // read per request: the origins list is the live configuration, not a copy taken at start
    const hosts = () => new Set(['localhost', '127.0.0.1', '::1', c.rpId, ...c.origins.map((o) => new URL(o).hostname.replace(/^\[|\]$/g, ''))]);
    // a *.localhost name always resolves to this machine (RFC 6761 §6.3), so it cannot be rebound
    const allowed = (h: string) => h.endsWith('.localhost') || hosts().has(h);
    const token = c.token;
    const refuse = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).header('content-type', 'application/json; charset=utf-8').send({ error: { code, message } });
    // cross-site request forgery: SameSite=Strict cookies still travel from a same-site sibling
    // (another host of the lab's domain), so every state-changing API request must come from this
    // server's own pages or from no browser at all (the CLI, scripts: no Origin, no Sec-Fetch-Site),
    // and carry a JSON body (a cross-site form or a no-cors fetch cannot send application/json).
    // Judged once the body is read (preValidation): an answer sent before it is read would make
    // the connection close under a keep-alive client's next request
    app.addHook('preValidation', (req: FastifyRequest, reply: FastifyReply, done) => {
      if (!STATE_CHANGING.has(req.method) || !req.url.startsWith('/api/')) return done();
      const site = req.headers['sec-fetch-site'];
      const origin = req.headers.origin;
      const own = new Set([...c.origins, `${c.tls ? 'https' : 'http'}://${req.headers.host ?? ''}`]);
      if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !own.has(origin))) {
        return refuse(reply, 403, 'CROSS_SITE_REFUSED', `a ${req.method} from ${origin ?? `a ${site} page`} is refused: this server changes state only for its own pages (${[...c.origins].join(', ')}) and for clients outside a browser`);
      }
      if (req.method !== 'DELETE' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        return refuse(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `${req.method} ${req.url.split('?')[0]} takes a JSON body (content-type application/json; send {} when there is nothing to say)`);
      }
      done();
    });
    app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done) => {
      if (loopback) {
        const h = hostnameOf(req.headers.host);
        if (!h || !allowed(h)) return refuse(reply, 421, 'HOST_NOT_ALLOWED', `this server answers only for ${[...hosts()].join(', ')} and *.localhost, not ${JSON.stringify(req.headers.host ?? '')} (use the URL it printed at start)`);
        return done();
      }
      if (!token) return done();
      const given = presentedToken(req);
      if (!given || !sameSecret(given, token)) return refuse(reply, 401, 'TOKEN_REQUIRED', 'this server is reachable beyond this machine, so it needs its access token: open the URL it printed at start (…/?token=…), or send "Authorization: Bearer TOKEN"');
      if (given !== tokenCookieOf(req)) reply.header('set-cookie', `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${c.tls ? '; Secure' : ''}`);
      done();
    });
  },
  { name: 'access', dependencies: ['config'] },
);
