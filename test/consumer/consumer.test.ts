import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../../conformance/src/emulation/SoftAuthenticator.ts';
import { HttpBrowser } from '../helpers/httpBrowser.ts';

/**
 * The package as a vendor gets it: `npm pack`, then a fresh project elsewhere on disk installs
 * the tarball (from the registry for its dependencies; no browser download) and uses it with
 * plain `npx fido2-harness …`, the public API from TypeScript, and the Playwright fixture under
 * Playwright Test with Debian's Chromium. Also on the oldest Node the package claims (22.12).
 */
const repo = path.resolve('.');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string; devDependencies: Record<string, string> };
const NODE24_BIN = path.dirname(process.execPath);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let dir: string;
let project: string;
let env: NodeJS.ProcessEnv;

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: o.cwd ?? project, env: o.env ?? env, encoding: 'utf8', timeout: o.timeout ?? 240_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}
const ok = (r: SpawnSyncReturns<string>, what: string) => {
  expect(r.status, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};
const exact = (spec: string) => spec.replace(/^[\^~]/, '');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-consumer-'));
  project = path.join(dir, 'vendor-ci');
  fs.mkdirSync(project);
  // Node 24 first on PATH, as on a consumer's machine; nothing of this repository's node_modules
  env = { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env.PATH}`, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const k of Object.keys(env)) if (k.startsWith('npm_package_') || k === 'INIT_CWD' || k === 'npm_lifecycle_event') delete env[k];
  if (!fs.existsSync(path.join(repo, 'dist/conformance/src/index.js'))) ok(run('npm', ['run', 'build'], { cwd: repo }), 'npm run build');
  const packed = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo }), 'npm pack');
  const tarball = path.join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'vendor-ci', private: true, type: 'module' }, null, 2));
  ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', '-D', tarball,
    `typescript@${exact(pkg.devDependencies.typescript!)}`, `@playwright/test@${exact(pkg.devDependencies['@playwright/test']!)}`, `playwright-core@${exact(pkg.devDependencies['playwright-core']!)}`]), 'npm install of the packed tarball');
  // no @types/node of the project's own: the package declares the Node types its .d.ts files use
  expect(fs.existsSync(path.join(project, 'node_modules/@types/node/package.json'))).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).devDependencies['@types/node']).toBeUndefined();
}, 600_000);
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * `<cmd> <args> serve --port 0`, then the page and the API answer and a key registers and signs
 * in (the packaged server's counter-commit thread writes the counter); stopped with SIGTERM.
 */
async function serveAndFetch(cmd: string, args: string[]) {
  const dataDir = fs.mkdtempSync(path.join(project, 'data-'));
  const child = spawn(cmd, [...args, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let counter = 0;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr.on('data', (d) => (out += d));
      child.once('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
      setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    });
    const port = new URL(url).port;
    const page = await fetch(`http://localhost:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('fido2-harness');
    expect((await fetch(`http://localhost:${port}/run.html`)).status).toBe(200);
    expect((await fetch(`http://localhost:${port}/api/credentials`)).status).toBe(200);
    const origin = `http://localhost:${port}`;
    const browser = new HttpBrowser(origin);
    const key = new SoftAuthenticator();
    const o = await browser.post('/api/registration/options', { username: 'packaged' });
    expect((await browser.post('/api/registration/verify', await key.create(o.json, origin))).status).toBe(200);
    const a = await browser.post('/api/authentication/options', { username: 'packaged' });
    const v = await browser.post('/api/authentication/verify', await key.get(a.json, origin));
    expect(v.status, JSON.stringify(v.json)).toBe(200);
    counter = v.json.credential.counter;
    expect(counter).toBeGreaterThan(0);
  } finally {
    // a server that already exited (it failed to start) has no exit left to wait for
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
  // acknowledged, so in the file
  const db = new DatabaseSync(path.join(dataDir, 'fido2-harness.sqlite'), { readOnly: true });
  expect(Number((db.prepare('SELECT counter FROM credentials').get() as { counter: number }).counter)).toBe(counter);
  db.close();
}

describe('the packed package, installed in a fresh project', { timeout: 300_000 }, () => {
  it('ships compiled code, types, the page, trust material and example profiles, and no tests or sources', () => {
    const root = path.join(project, 'node_modules/fido2-harness');
    for (const f of ['dist/conformance/src/index.js', 'dist/conformance/src/index.d.ts', 'dist/runner/playwright.js', 'dist/server/src/index.d.ts', 'dist/client/index.html', 'dist/client/run.html', 'conformance/trust/globalsign-root-ca-r3.der', 'fixtures/example-compliant-profile.json', 'LICENSE', 'bin/fido2-harness.js']) {
      expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    }
    const files = fs.readdirSync(root, { recursive: true }) as string[];
    expect(files.filter((f) => /\.test\.|\.png$|(?<!\.d)\.ts$/.test(f))).toEqual([]);
  });

  it('npx fido2-harness --version and help', () => {
    expect(ok(run('npx', ['fido2-harness', '--version']), '--version').stdout.trim()).toBe(`fido2-harness ${pkg.version}`);
    expect(ok(run('npx', ['fido2-harness', 'help']), 'help').stdout).toContain('check --virtual');
  });

  it('check --emulate on a shipped example profile: exit 0 and a JSON report that passes', () => {
    ok(run('npx', ['fido2-harness', 'check', '--emulate', 'node_modules/fido2-harness/fixtures/example-compliant-profile.json', '--format', 'json', '--out', 'report.json']), 'check --emulate');
    const report = JSON.parse(fs.readFileSync(path.join(project, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ verdict: 'pass', counts: { fail: 0 } });
    expect(report.outcomes.length).toBeGreaterThanOrEqual(29);
    expect(run('npx', ['fido2-harness', 'check', '--emulate', 'node_modules/fido2-harness/fixtures/example-faulty-profile.json']).status).toBe(1);
  });

  it("the README's CI recipe, as written, in a set -e shell: every output written, the regression named, exit 1", () => {
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const recipe = /<!-- ci-recipe:start -->\n```sh\n([\s\S]*?)```\n<!-- ci-recipe:end -->/.exec(readme)![1]!;
    const ci = path.join(project, 'ci');
    fs.mkdirSync(ci, { recursive: true });
    fs.writeFileSync(path.join(ci, 'recipe.sh'), recipe);
    // the baseline from the compliant example, the key under test the faulty one
    ok(run('npx', ['fido2-harness', 'check', '--emulate', path.join(project, 'node_modules/fido2-harness/fixtures/example-compliant-profile.json'), '--out', 'baseline.json'], { cwd: ci }), 'baseline');
    fs.copyFileSync(path.join(project, 'node_modules/fido2-harness/fixtures/example-faulty-profile.json'), path.join(ci, 'my-key-profile.json'));
    const r = run('bash', ['recipe.sh'], { cwd: ci });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    for (const f of ['current.json', 'conformance.xml', 'summary.md']) expect(fs.existsSync(path.join(ci, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(ci, 'conformance.xml'), 'utf8')).toMatch(/^<\?xml[\s\S]*<failure /);
    expect(fs.readFileSync(path.join(ci, 'summary.md'), 'utf8')).toMatch(/\*\*Verdict: FAIL\*\*/);
    expect(r.stdout).toMatch(/REGRESSED/);
    // the pipeline's first run: an empty folder, no baseline yet, a key that passes: exit 0, said plainly
    const first = path.join(project, 'ci-first');
    fs.mkdirSync(first, { recursive: true });
    fs.writeFileSync(path.join(first, 'recipe.sh'), recipe);
    fs.copyFileSync(path.join(project, 'node_modules/fido2-harness/fixtures/example-compliant-profile.json'), path.join(first, 'my-key-profile.json'));
    const f = run('bash', ['recipe.sh'], { cwd: first });
    expect(f.status, f.stdout + f.stderr).toBe(0);
    expect(f.stdout).toMatch(/no baseline yet: baseline\.json does not exist/);
  });

  it('inspect on a registration the project makes with the installed library', () => {
    fs.writeFileSync(path.join(project, 'make.mjs'), `
      import fs from 'node:fs';
      import { SoftAuthenticator } from 'fido2-harness';
      const key = new SoftAuthenticator({ attestation: 'packed-self' });
      const options = { challenge: 'Y29uc3VtZXItY2hhbGxlbmdl', attestation: 'direct', rp: { id: 'vendor.example' }, user: { id: 'dXNlcg' }, pubKeyCredParams: [{ type: 'public-key', alg: -7 }] };
      const response = await key.create(options, 'https://vendor.example');
      fs.writeFileSync('reg.json', JSON.stringify({ response, expectedChallenge: options.challenge, expectedOrigin: 'https://vendor.example', expectedRPID: 'vendor.example' }));
    `);
    ok(run('node', ['make.mjs']), 'make.mjs');
    const out = JSON.parse(ok(run('npx', ['fido2-harness', 'inspect', 'reg.json', '--json']), 'inspect').stdout);
    expect(out).toMatchObject({ kind: 'registration', verified: true, summary: { fmt: 'packed', attestationType: 'self' } });
    const tampered = JSON.parse(fs.readFileSync(path.join(project, 'reg.json'), 'utf8'));
    tampered.expectedOrigin = 'https://elsewhere.example';
    fs.writeFileSync(path.join(project, 'bad.json'), JSON.stringify(tampered));
    expect(run('npx', ['fido2-harness', 'inspect', 'bad.json']).status).toBe(1);
  });

  it('the public API type-checks from TypeScript (and its types are real: misuse is an error)', () => {
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, types: ['node'] }, include: ['api.ts'] }));
    fs.writeFileSync(path.join(project, 'api.ts'), `
      import { evaluateRun, runWithSoftAuthenticator, SoftAuthenticator, inspectInput, CHECKS, renderReports, type CheckId, type RunReport, type MetadataProvider } from 'fido2-harness';
      import { conformanceFixture, attachVirtualAuthenticator } from 'fido2-harness/playwright';
      import { buildApp, openMemoryStores, type RegistrationOptionsRequest } from 'fido2-harness/server';
      import { test as base } from '@playwright/test';
      const id: CheckId = 'ATT_PACKED_FORMAT';
      // @ts-expect-error an unknown check ID does not compile
      const wrong: CheckId = 'ATT_PACKED_FROMAT';
      export async function f(): Promise<RunReport> {
        const run = await runWithSoftAuthenticator(new SoftAuthenticator(), { rpId: 'x.example', origin: 'https://x.example', label: 'k' });
        const r = evaluateRun(run);
        const text: string = renderReports([r], 'junit');
        void text; void CHECKS; void inspectInput; void wrong; void id;
        return r;
      }
      export const test = conformanceFixture(base);
      test('typed fixture', async ({ page, fido2Conformance }) => { await attachVirtualAuthenticator(page); const { report } = await fido2Conformance(); report.verdict satisfies 'pass' | 'fail' | 'incomplete'; });
      export const req: RegistrationOptionsRequest = { username: 'alice', residentKey: 'required' };
      export const stores = openMemoryStores();
      export type M = MetadataProvider;
      void buildApp;
    `);
    ok(run('npx', ['tsc', '-p', '.']), 'tsc --noEmit in the consumer project');
  });

  it("Playwright Test runs the exported fixture on Debian's Chromium", () => {
    expect(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`).toBe(true);
    fs.writeFileSync(path.join(project, 'playwright.config.mjs'), `
      export default { testDir: 'e2e', reporter: [['list']], workers: 1, timeout: 60000,
        use: { launchOptions: { executablePath: ${JSON.stringify(CHROMIUM)}, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] } } };
    `);
    fs.mkdirSync(path.join(project, 'e2e'), { recursive: true });
    fs.writeFileSync(path.join(project, 'e2e/conformance.spec.mjs'), `
      import http from 'node:http';
      import { test as base, expect } from '@playwright/test';
      import { conformanceFixture, attachVirtualAuthenticator } from 'fido2-harness/playwright';
      const test = conformanceFixture(base);
      let server;
      test.beforeAll(async () => {
        server = http.createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>vendor login</title>'));
        await new Promise((r) => server.listen(0, 'localhost', r));
      });
      test.afterAll(() => new Promise((r) => server.close(r)));
      test('our key model passes the behavioural checks', async ({ page, fido2Conformance }, testInfo) => {
        await page.goto('http://localhost:' + server.address().port + '/');
        const virtualKey = await attachVirtualAuthenticator(page, { hasPrf: true, hasCredBlob: true });
        const { report, render } = await fido2Conformance({ label: 'Vendor Key (virtual)', virtualKey, areas: ['windows', 'hygiene'] });
        await testInfo.attach('conformance.xml', { body: render('junit'), contentType: 'application/xml' });
        expect(report.run.ceremonies.every((c) => c.ok)).toBe(true);
        expect(report.verdict).toBe('pass');
      });
    `);
    const r = ok(run('npx', ['playwright', 'test', '--config', 'playwright.config.mjs']), 'npx playwright test');
    expect(r.stdout).toMatch(/1 passed/);
  });

  it('check --virtual with playwright-core installed; without it, exit 2 naming the missing peer dependency', () => {
    const r = ok(run('npx', ['fido2-harness', 'check', '--virtual', '--profile', 'ctap2_1-full', '--areas', 'windows,hygiene', '--format', 'json']), 'check --virtual');
    expect(JSON.parse(r.stdout).reports[0]).toMatchObject({ verdict: 'pass' });
    const pc = path.join(project, 'node_modules/playwright-core');
    fs.renameSync(pc, `${pc}.away`);
    try {
      const missing = run('npx', ['fido2-harness', 'check', '--virtual']);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/needs playwright-core, an optional peer dependency that is not installed: npm install -D playwright-core/);
    } finally {
      fs.renameSync(`${pc}.away`, pc);
    }
  });

  it('npx fido2-harness serve serves the built page', async () => {
    await serveAndFetch('npx', ['fido2-harness']);
  });

  it('runs on Node 22.12, the oldest release it claims (engines >= 22.12)', async () => {
    const old = path.join(dir, 'node22');
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, 'package.json'), '{"private":true}');
    ok(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', 'node@22.12.0'], { cwd: old }), 'npm install node@22.12.0');
    const node22 = path.join(old, 'node_modules/.bin/node');
    expect(ok(run(node22, ['--version']), 'node 22 --version').stdout.trim()).toBe('v22.12.0');
    const bin = path.join(project, 'node_modules/fido2-harness/bin/fido2-harness.js');
    expect(ok(run(node22, [bin, '--version']), '--version on 22.12').stdout.trim()).toBe(`fido2-harness ${pkg.version}`);
    ok(run(node22, [bin, 'check', '--emulate', 'node_modules/fido2-harness/fixtures/example-compliant-profile.json']), 'check --emulate on 22.12');
    ok(run(node22, [bin, 'inspect', 'reg.json']), 'inspect on 22.12');
    // serve needs node:sqlite, behind a flag on 22.12: the entry point adds it
    await serveAndFetch(node22, [bin]);
  });
});
