import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium } from '../../runner/chromium.ts';
import { ApiSession } from '../helpers/ApiSession.ts';

/**
 * Cross-site request forgery from a same-site sibling: a page on another port of the same host is
 * same-site (SameSite=Strict cookies travel with its requests) but another origin. Its no-cors
 * fetches and form posts reach the server; the server must refuse every state change from it.
 */
let s: TestServer;
let sibling: http.Server;
let siblingOrigin: string;
let browser: Browser;
beforeAll(async () => {
  s = await startTestServer({ listen: true });
  sibling = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><form id="f" method="post" enctype="text/plain" action="${s.origin}/api/runs"><input name="x" value="y"></form>
<script>
  window.attack = async () => {
    const target = ${JSON.stringify(s.origin)};
    const results = [];
    // (a DELETE cannot leave a page without CORS: only the POSTs a page can send blind)
    for (const [method, path, body, type] of [['POST', '/api/runs'], ['POST', '/api/runs', '{}', 'text/plain'], ['POST', '/api/account/signout']]) {
      await fetch(target + path, { method, mode: 'no-cors', credentials: 'include', body, headers: type ? { 'content-type': type } : {} }).then(() => results.push('sent'), (e) => results.push(String(e)));
    }
    return results;
  };
</script>`);
  });
  await new Promise<void>((r) => sibling.listen(0, 'localhost', r));
  siblingOrigin = `http://localhost:${(sibling.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => sibling?.close(r));
  await s?.close();
});

describe('CSRF: state changes only from the server\'s own pages', () => {
  it('a same-site sibling page (another port of the host) posts with the person\'s cookies: refused, nothing created', async () => {
    expect(new URL(s.origin).hostname).toBe('localhost');
    const context = await browser.newContext();
    const page = await context.newPage();
    // the person uses the harness: a session cookie, and a run of their own
    await page.goto(`${s.origin}/run.html`);
    await page.waitForSelector('body[data-ready=true]');
    const count = () => page.evaluate(async () => ((await (await fetch('/api/runs')).json()) as { runs: unknown[] }).runs.length);
    expect(await page.evaluate(async () => (await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"mine"}' })).status)).toBe(200);
    expect(await count()).toBe(1);
    // the same browser visits the sibling, which fires its requests at the harness
    const evil = await context.newPage();
    const refused: number[] = [];
    evil.on('response', (r) => {
      if (r.url().startsWith(s.origin)) refused.push(r.status());
    });
    await evil.goto(`${siblingOrigin}/`);
    expect(await evil.evaluate(() => (window as unknown as { attack: () => Promise<string[]> }).attack())).toEqual(['sent', 'sent', 'sent']);
    await Promise.all([evil.waitForNavigation(), evil.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())]);
    expect(await evil.textContent('body')).toMatch(/CROSS_SITE_REFUSED/);
    expect(await count()).toBe(1);
    await context.close();
  });

  it('over the API: a foreign Origin or Sec-Fetch-Site is 403 CROSS_SITE_REFUSED; a POST without a JSON body is 415; the own origin and clients outside a browser go through', async () => {
    const api = new ApiSession(s.app);
    const post = (headers: Record<string, string>, body: unknown = { label: 'x' }) => api.request('POST', '/api/runs', body, headers);
    for (const h of [{ origin: siblingOrigin }, { origin: 'null' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      const r = await post(h);
      expect(r.statusCode, JSON.stringify(h)).toBe(403);
      expect(r.json().error.code).toBe('CROSS_SITE_REFUSED');
    }
    expect((await api.request('DELETE', '/api/credentials/abc', undefined, { origin: siblingOrigin })).statusCode).toBe(403);
    const bare = await api.request('POST', '/api/runs');
    expect(bare.statusCode).toBe(415);
    expect(bare.json().error.message).toMatch(/takes a JSON body/);
    expect((await api.request('POST', '/api/runs', 'label=x', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(415);
    expect((await post({ origin: s.origin, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect((await post({})).statusCode).toBe(200);
  });
});
