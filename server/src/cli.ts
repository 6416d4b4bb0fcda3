import { loadConfig, CONFIG_HELP } from './config.ts';
import { startServer } from './server.ts';
import { HarnessError, type CliIo } from '../../conformance/src/index.ts';

export const SERVE_HELP = `usage: fido2-harness serve [options]

Starts the relying-party server and the demo page. Options (each also read from the
environment variable named beside it; flags win):
${CONFIG_HELP}
`;

/** `fido2-harness serve`: returns an exit code on failure, or undefined while the server runs. */
export async function serve(argv: string[], io: Pick<CliIo, 'env'> & Partial<CliIo> = { env: process.env }): Promise<number | undefined> {
  const { env, out = process.stdout, err = process.stderr } = io;
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(SERVE_HELP);
    return 0;
  }
  try {
    const config = loadConfig(argv, env, process.cwd());
    const s = await startServer(config, (l) => out.write(`${l}\n`));
    const stop = async () => {
      await s.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // under npm (npm start, npm run serve) a shell sits between npm and this process and does not
    // pass SIGTERM on: when that shell goes away (npm was stopped) this process is reparented, and stops
    if (env.npm_lifecycle_event) {
      const parent = process.ppid;
      setInterval(() => {
        if (process.ppid !== parent) void stop();
      }, 500).unref();
    }
    return undefined;
  } catch (e) {
    if (e instanceof HarnessError) {
      err.write(`fido2-harness serve: ${e.code}: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      err.write('fido2-harness serve: the port is already in use: stop the other process or pass --port <n>\n');
      return 2;
    }
    if (code === 'EACCES') {
      err.write('fido2-harness serve: not allowed to listen there (ports below 1024 need privileges): pass --port 8080\n');
      return 2;
    }
    if (code === 'ENOENT') {
      err.write(`fido2-harness serve: ${(e as Error).message} (check --tls-cert / --tls-key paths)\n`);
      return 2;
    }
    throw e;
  }
}
