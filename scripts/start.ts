/**
 * npm start: build the page and the package, then serve, in this one process. npm runs a script
 * through a shell, and a shell between npm and the server does not pass SIGTERM on: with the
 * server in npm's own child, stopping `npm start` stops the server (no orphan on the port).
 */
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', '-s', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);
process.argv.splice(2, 0, 'serve');
await import(new URL('../bin/fido2-harness.js', import.meta.url).href);
