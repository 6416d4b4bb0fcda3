#!/usr/bin/env node
// Entry shim. The harness is TypeScript run by Node's built-in type stripping (default from
// Node 22.18; 22.12-22.17 need the flag, so we re-exec with it). `serve` goes to the server
// package; every other command to the conformance library's CLI, which knows nothing of the server.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`fido2-harness needs Node >= 22.12 (this is ${process.version}). Run it through npm (npm start, npm run cli -- ...), which uses the Node 24 this repo pins, or install Node 24.`);
  process.exit(2);
}
if (!process.features.typescript) {
  const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
// a reader that stops early (| head) is not an error of ours
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const argv = process.argv.slice(2);
if (argv[0] === 'check' && argv.includes('--virtual')) {
  // the browser runner lives beside the server, not in the conformance library
  const { checkVirtual } = await import('../runner/checkVirtual.ts');
  const { HarnessError } = await import('../conformance/src/errors/HarnessError.ts');
  try {
    process.exitCode = await checkVirtual(argv.slice(1), { out: process.stdout, err: process.stderr, env: process.env });
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    process.stderr.write(`fido2-harness check: ${e.code}: ${e.message}\n`);
    process.exitCode = 2;
  }
} else if (argv[0] === 'serve') {
  const { serve } = await import('../server/src/cli.ts');
  const code = await serve(argv.slice(1), process.env);
  if (code !== undefined) process.exitCode = code;
} else {
  const { main } = await import('../conformance/src/cli/main.ts');
  process.exitCode = await main(argv);
}
