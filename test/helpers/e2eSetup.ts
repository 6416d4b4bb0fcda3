import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './testServer.ts';
import { launchChromium } from '../../runner/chromium.ts';

/**
 * One real server (SQLite file, built page) and one Chromium per e2e test file. The
 * returned object is filled in by beforeAll.
 */
export function useServerAndBrowser(o: { flags?: string[] } = {}): { s: TestServer; browser: Browser } {
  const env = {} as { s: TestServer; browser: Browser };
  beforeAll(async () => {
    env.s = await startTestServer({ listen: true, flags: o.flags });
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.s?.close();
  });
  return env;
}
