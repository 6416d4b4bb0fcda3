/**
 * fido2-harness: the command dispatcher. Thin: each command parses its arguments, calls the
 * library and maps outcomes to exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
 * Commands that live above the library (serve: the RP server; check --virtual: the browser
 * runner) are handed in by the entry point, so this layer never imports them.
 */
import { closestWord } from '../encoding/closestWord.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { packageVersion } from '../runtime/packagePath.ts';
import { inspectCommand } from './inspectCommand.ts';
import { mdsCommand } from './mdsCommand.ts';
import { checkCommand } from './checkCommand.ts';
import { reportCommand } from './reportCommand.ts';
import { softkeyCommand } from './softkeyCommand.ts';
import { probeCommand } from './probeCommand.ts';
import { devicesCommand } from './devicesCommand.ts';
import { resetCommand } from './resetCommand.ts';
import { catalogueCommand } from './catalogueCommand.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';

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

/** the commands, for "did you mean" */
const COMMANDS = ['serve', 'inspect', 'mds', 'check', 'catalogue', 'report', 'devices', 'probe', 'softkey', 'reset', 'help'];

export const USAGE = `usage: fido2-harness <command> [options]

commands:
  serve [options]   start the relying-party server and the demo page (npm start runs this;
                    fido2-harness serve --help lists its options)
  inspect <input>   decode and verify a captured registration or assertion (--help for options)
  mds <subcommand>  FIDO Metadata Service: update, verify, show, search, eligible, lint (mds --help)
  check --emulate <profile.json>
                    run the conformance catalogue against an emulated key (check --help)
  check --ctap [--device PATH|udp:HOST:PORT]
                    the same on a key over CTAP (USB or a simulator), plus the ctap checks (check --ctap --help)
  check --virtual   the same against Chromium's virtual authenticators (check --virtual --help)
  catalogue [--coverage]
                    the checks, their severity and sources; --coverage: FIDO's CTAP 2.3 test
                    groups and the checks covering each
  report <report.json> | report diff <a.json> <b.json> | report merge <shard.json>...
                    re-render a saved JSON report, compare two check by check, or join the
                    reports of --shard runs (report --help)
  devices           list the FIDO security keys plugged in over USB
  probe [--device PATH|udp:HOST:PORT]
                    the key's authenticatorGetInfo, decoded, and compared with its metadata
  softkey --udp [HOST:PORT]
                    serve the software authenticator as a CTAP device over UDP (softkey --help)
  reset --allow-reset [--device …]
                    wipe a key (authenticatorReset); nothing else in fido2-harness ever does
  --version         the version of this fido2-harness
  help              this text
`;

export type Stream = NodeJS.WritableStream & { isTTY?: boolean };
export interface CliIo {
  out: Stream;
  err: Stream;
  env: Record<string, string | undefined>;
}
/** A command the entry point adds (serve, check --virtual): its arguments after the command name. */
export type ExternalCommand = (argv: string[], io: CliIo) => Promise<number | undefined>;

export interface CliOptions {
  io?: Partial<CliIo>;
  /** commands above the library, keyed by name ('serve', 'check --virtual') */
  commands?: Partial<Record<'serve' | 'check --virtual', ExternalCommand>>;
  /** node-hid, or a fake of its API (tests on machines without USB) */
  nodeHid?: NodeHidApi;
}

/** Runs one command line; resolves with the exit code (undefined: a server keeps running). */
export async function main(argv: string[], o: CliOptions = {}): Promise<number | undefined> {
  const io: CliIo = { out: o.io?.out ?? process.stdout, err: o.io?.err ?? process.stderr, env: o.io?.env ?? process.env };
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'inspect') return await inspectCommand(rest, { out: io.out, err: io.err, readStdin });
    if (cmd === 'mds') return await mdsCommand(rest, { out: io.out, err: io.err, env: io.env });
    if (cmd === 'check') {
      // one kind of key per run: a mix is a mistake to name, not an "unknown option" of one of them
      const kinds = ['--emulate', '--ctap', '--virtual'].filter((k) => rest.some((a) => a === k || a.startsWith(`${k}=`)));
      if (kinds.length > 1) throw new HarnessError('BAD_USAGE', `check takes one of --emulate <profile.json>, --ctap or --virtual, not ${kinds.join(' and ')}: run them one after the other (each writes its own report)`);
    }
    if (cmd === 'check' && rest.includes('--virtual')) return await external('check --virtual', rest.filter((a) => a !== '--virtual'));
    if (cmd === 'check') return await checkCommand(rest, { ...io, nodeHid: o.nodeHid });
    if (cmd === 'report') return await reportCommand(rest, { out: io.out, env: io.env, readStdin });
    if (cmd === 'serve') return await external('serve', rest);
    if (cmd === 'softkey') return await softkeyCommand(rest, io);
    if (cmd === 'probe') return await probeCommand(rest, { ...io, nodeHid: o.nodeHid });
    if (cmd === 'devices') return await devicesCommand(rest, { ...io, nodeHid: o.nodeHid });
    if (cmd === 'reset') return await resetCommand(rest, { ...io, nodeHid: o.nodeHid });
    if (cmd === 'catalogue') return await catalogueCommand(rest, io);
  } catch (e) {
    if (e instanceof HarnessError) {
      io.err.write(`fido2-harness ${cmd}: ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  switch (cmd) {
    case 'help':
    case '--help':
    case '-h':
      io.out.write(USAGE);
      return 0;
    case '--version':
    case '-v':
    case 'version':
      io.out.write(`fido2-harness ${packageVersion()}\n`);
      return 0;
    case undefined:
      io.err.write(USAGE);
      return 2;
    default: {
      const near = closestWord(cmd, COMMANDS);
      io.err.write(`fido2-harness: unknown command "${cmd}"${near ? ` (did you mean "${near}"?)` : ''}\n${USAGE}`);
      return 2;
    }
  }

  async function external(name: 'serve' | 'check --virtual', args: string[]) {
    const c = o.commands?.[name];
    if (!c) throw new HarnessError('BAD_USAGE', `${name} is not available in this build of fido2-harness`);
    return c(args, io);
  }
}
