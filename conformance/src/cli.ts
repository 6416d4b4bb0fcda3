/**
 * fido2-harness commands that belong to the conformance library (inspect, mds, check,
 * report follow in later work). Thin: parse arguments, call the library, map outcomes to
 * exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
 */
export const USAGE = `usage: fido2-harness <command> [options]

commands:
  serve [options]   start the relying-party server and the demo page (npm start runs this;
                    fido2-harness serve --help lists its options)
  help              this text
`;

export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  const [cmd] = argv;
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
