import path from 'node:path';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';

export const BIN = path.resolve('bin/fido2-harness.js');

/** `fido2-harness …` to completion (Node 24, this repository's sources). */
export function harness(args: string[], o: { env?: Record<string, string>; input?: string; timeout?: number; cwd?: string } = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...o.env }, input: o.input, timeout: o.timeout ?? 60_000, cwd: o.cwd });
}

/** `fido2-harness …` to completion without blocking this process (for tests that answer it from here). */
export function harnessAsync(args: string[], o: { env?: Record<string, string>; timeout?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...o.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeout ?? 60_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A long-running `fido2-harness …` (serve, softkey): resolves once a line matches, with the match. */
export async function startHarness(args: string[], ready: RegExp, o: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpExecArray; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...o.env }, cwd: o.cwd }) as ChildProcessWithoutNullStreams;
  let out = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fido2-harness ${args.join(' ')} did not print ${ready} within 30 s: ${out}`)), 30_000);
    const look = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`fido2-harness ${args.join(' ')} exited ${c}: ${out}`));
    });
  });
  return {
    child,
    match,
    output: () => out,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (c) => resolve(c));
      child.kill(signal);
    }),
  };
}
