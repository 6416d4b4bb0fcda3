import { Writable } from 'node:stream';
import { main } from '../../conformance/src/cli/main.ts';

/** A writable that keeps what was written, as a terminal would show it. */
export function sink() {
  let text = '';
  const w = new Writable({ write(c, _e, cb) { text += c; cb(); } });
  return { w, get text() { return text; } };
}

/** `fido2-harness …` in this process (the library's CLI): the exit code and both streams; a throw is exit -1. */
export async function cliInProcess(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  let status: number;
  try {
    status = (await main(argv, { io: { out: out.w, err: err.w } })) ?? 0;
  } catch (e) {
    status = -1;
    err.w.write(String(e));
  }
  return { status, stdout: out.text, stderr: err.text };
}
