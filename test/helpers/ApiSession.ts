import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** One browser session against app.inject: keeps the session cookie like a browser would. */
export class ApiSession {
  private cookie = '';
  private readonly app: FastifyInstance;
  constructor(app: FastifyInstance) {
    this.app = app;
  }

  async request(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const set = res.cookies.find((c) => c.name === 'fh_sid');
    if (set) this.cookie = `fh_sid=${set.value}`;
    return res;
  }

  post(url: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', url, body, headers);
  }

  get(url: string) {
    return this.request('GET', url);
  }
}
