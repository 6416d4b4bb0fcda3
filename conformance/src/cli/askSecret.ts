import { HarnessError } from '../errors/HarnessError.ts';

/**
 * A secret (the key's PIN) typed at the terminal, not echoed, never logged. Only when standard
 * input is a terminal; anywhere else (CI) undefined, and the caller says to use --pin-env.
 */
export async function askSecret(question: string, io: { input?: NodeJS.ReadStream; err: NodeJS.WritableStream }): Promise<string | undefined> {
  const input = io.input ?? process.stdin;
  if (!input.isTTY || typeof input.setRawMode !== 'function') return undefined;
  io.err.write(question);
  input.setRawMode(true);
  input.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            input.off('data', onData);
            io.err.write('\n');
            return resolve(typed);
          }
          if (ch === '\u0003' || ch === '\u0004') {
            input.off('data', onData);
            io.err.write('\n');
            return reject(new HarnessError('BAD_USAGE', 'no PIN given (interrupted)'));
          }
          if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
          else if (ch >= ' ') typed += ch;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
  }
}
