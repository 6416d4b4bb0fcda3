#!/usr/bin/env node
// The entry point and composition root: the library's command line (conformance/src/index.ts),
// plus the two commands that live above it, handed in: `serve` (the RP server) and
// `check --virtual` (the Chromium runner). From the repository it runs the TypeScript sources
// (Node strips the types; 22.12-22.17 need the flag, so it re-execs with it); from an installed
// package (no sources shipped) the compiled JavaScript in dist/.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`fido2-harness needs Node >= 22.12 (this is ${process.version}). Install Node 24 LTS, or run it through npm in the fido2-harness repository (npm start, npm run cli -- ...), which uses the Node 24 it pins.`);
  process.exit(2);
}
const fromSource = fs.existsSync(fileURLToPath(new URL('../conformance/src/index.ts', import.meta.url)));
// node:sqlite is unflagged from 22.13; type stripping is on by default from 22.18
const flags = [];
if (major === 22 && minor < 13) flags.push('--experimental-sqlite');
if (fromSource && !process.features.typescript) flags.push('--experimental-strip-types');
if (flags.length && !process.execArgv.some((a) => flags.includes(a))) {
  // the same command with the flags; signals are passed on, so stopping this process stops the server too
  const child = spawn(process.execPath, [...flags, '--no-warnings', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 + 15 : 1))));
  process.exit(code);
}
// a reader that stops early (| head) is not an error of ours
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const at = (src, dist) => new URL(fromSource ? src : dist, import.meta.url).href;
// the server's thread pool is sized before anything of this process uses it (importing does not)
if (process.argv[2] === 'serve') (await import(at('../server/src/threadPool.ts', '../dist/server/src/threadPool.js'))).sizeThreadPool();
const { runCli } = await import(at('../conformance/src/index.ts', '../dist/conformance/src/index.js'));
/** an optional peer dependency that is not installed: say which and how, instead of a stack trace */
const needs = (what) => (e) => {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !/playwright-core/.test(String(e.message))) throw e;
  process.stderr.write(`fido2-harness: ${what} needs playwright-core, an optional peer dependency that is not installed: npm install -D playwright-core (and Debian's chromium: apt-get install chromium, or set CHROMIUM_PATH)\n`);
  return 2;
};
const code = await runCli(process.argv.slice(2), {
  commands: {
    serve: async (argv, io) => (await import(at('../server/src/cli.ts', '../dist/server/src/cli.js'))).serve(argv, io),
    'check --virtual': async (argv, io) => {
      const mod = await import(at('../runner/checkVirtual.ts', '../dist/runner/checkVirtual.js')).catch(needs('check --virtual'));
      return typeof mod === 'number' ? mod : mod.checkVirtual(argv, io);
    },
  },
});
if (code !== undefined) process.exitCode = code;
