/**
 * fido2-harness commands that belong to the conformance library (inspect, mds, check,
 * report). Thin: parse arguments, call the library, map outcomes to
 * exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
 */
import { HarnessError } from '../errors/HarnessError.ts';
import { inspectCommand } from './inspectCommand.ts';
import { mdsCommand } from './mdsCommand.ts';
import { checkCommand } from './checkCommand.ts';
import { reportCommand } from './reportCommand.ts';

const STDIN_LIMIT = 16 * 1024 * 1024;

/** Standard input as text, refusing more than STDIN_LIMIT bytes. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    n += (c as Buffer).length;
    if (n > STDIN_LIMIT) throw new HarnessError('BAD_INPUT', `standard input is larger than ${STDIN_LIMIT} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const USAGE = `usage: fido2-harness <command> [options]

commands:
  serve [options]   start the relying-party server and the demo page (npm start runs this;
                    fido2-harness serve --help lists its options)
  inspect <input>   decode and verify a captured registration or assertion (--help for options)
  mds <subcommand>  FIDO Metadata Service: update, verify, show, search, eligible, lint (mds --help)
  check --emulate <profile.json>
                    run the conformance catalogue against an emulated key (check --help)
  report <report.json> | report diff <a.json> <b.json>
                    re-render a saved JSON report, or compare two check by check (report --help)
  help              this text
`;

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

export async function main(argv: string[], out: Stream = process.stdout, err: Stream = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'inspect') return await inspectCommand(rest, { out, err, readStdin });
    if (cmd === 'mds') return await mdsCommand(rest, { out, err, env: process.env });
    if (cmd === 'check') return await checkCommand(rest, { out, env: process.env });
    if (cmd === 'report') return await reportCommand(rest, { out, env: process.env, readStdin });
  } catch (e) {
    if (e instanceof HarnessError) {
      err.write(`fido2-harness ${cmd}: ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  switch (cmd) {
    case 'help':
    case '--help':
    case '-h':
      out.write(USAGE);
      return 0;
    case undefined:
      err.write(USAGE);
      return 2;
    default:
      err.write(`fido2-harness: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}
