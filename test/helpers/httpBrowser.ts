/** A browser session against a real server over HTTP: keeps the session cookie across requests and hosts. */
export class HttpBrowser {
  cookie = '';
  base: string;
  constructor(base: string) {
    this.base = base;
  }
  async post(p: string, body: unknown = {}, base = this.base) {
    const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) }, body: JSON.stringify(body) });
    this.keep(res);
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }
  async get(p: string, base = this.base) {
    const res = await fetch(`${base}${p}`, { headers: this.cookie ? { cookie: this.cookie } : {} });
    this.keep(res);
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }
  private keep(res: Response) {
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const name = pair!.split('=')[0]!;
      const others = this.cookie.split('; ').filter((c) => c && !c.startsWith(`${name}=`));
      this.cookie = [...others, pair!].join('; ');
    }
  }
}
