import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, openWithVirtualKey } from '../../runner/chromium.ts';
import { press, setRegistrationForm } from '../helpers/demoPage.ts';

/** The demo page's response, exported exactly as `inspect` takes it, and opened again on the page. */
let s: TestServer;
let browser: Browser;
let dir: string;
beforeAll(async () => {
  s = await startTestServer({ listen: true });
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-capture-'));
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('export and open a captured response', () => {
  it('Download gives what inspect takes (exit 0, verified); the file opened on the page is judged again; a broken file is named', async () => {
    const k = await openWithVirtualKey(browser, `${s.origin}/`, {});
    await setRegistrationForm(k.page, { username: 'capture-user' });
    expect((await press(k.page, '#register')).kind).toBe('ok');
    const [download] = await Promise.all([k.page.waitForEvent('download'), k.page.click('[data-testid=download-capture]')]);
    const file = path.join(dir, 'registration.json');
    await download.saveAs(file);
    const captured = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(captured).toMatchObject({ kind: 'registration', expectedOrigin: s.origin, expectedRPID: 'localhost', expectedChallenge: expect.any(String), captureTime: expect.any(String), response: { type: 'public-key' } });
    const cli = spawnSync(process.execPath, ['bin/fido2-harness.js', 'inspect', file, '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ verified: true });
    // opened on the page: judged by the server, shown decoded, nothing stored
    await k.page.setInputFiles('#open-capture', file);
    await k.page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('registration.json'));
    expect(await k.page.textContent('#status')).toMatch(/registration\.json: a registration response, verified/);
    expect(await k.page.locator('[data-testid=findings] tr').count()).toBeGreaterThan(5);
    // a file that is not a response: said, not crashed
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify({ response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: '!!!' } } }));
    await k.page.setInputFiles('#open-capture', broken);
    await k.page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('broken.json'));
    expect(await k.page.getAttribute('#status', 'data-kind')).toBe('error');
    expect(await k.page.textContent('#status')).toMatch(/broken\.json: BAD_/);
    await k.context.close();
  });
});
