import type { FastifyServerOptions } from 'fastify';

/** Query members and headers that carry secrets: the start-up token, invites, session cookies. */
const SECRET_PARAMS = /\b(token|invite|code|session|secret|password|pin)=([^&#\s"'\\]+)/gi;
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'x-fido2-harness-token']);

/** A string with every secret query value replaced by [redacted]. */
export function redactSecrets(s: string): string {
  return s.replace(SECRET_PARAMS, '$1=[redacted]');
}

/** The same, through a log record (bounded depth: a hostile object cannot make logging slow). */
function redactDeep(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redactSecrets(v);
  if (depth > 6 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : redactDeep(x, depth + 1);
  return out;
}

/**
 * The server's logger at a level: every line, at every level, with the start-up token, invite
 * codes, cookies and authorization headers redacted (request URLs carry `?token=` and
 * `?invite=`; error messages can quote a URL).
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      // the request as a line: method, the URL without its secrets, host, peer (no headers: cookies stay out)
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string }) => ({ method: req.method, url: redactSecrets(req.url ?? ''), hostname: req.hostname, remoteAddress: req.ip }),
      // an error's message and stack may quote a URL with its token
      err: (e: Error & { code?: string; statusCode?: number }) => ({ type: e?.name, message: redactSecrets(String(e?.message ?? '')), code: e?.code, statusCode: e?.statusCode, stack: redactSecrets(String(e?.stack ?? '')) }),
    },
    hooks: {
      // messages and plain objects handed to the logger (the request and errors go through their serializers)
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' || (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype && !('req' in a) && !('res' in a) && !('err' in a)) ? redactDeep(a) : a)));
      },
    },
  } as NonNullable<FastifyServerOptions['logger']>;
}
