import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

/**
 * Why a private PC/SC stack cannot run here, or undefined when it can: Debian's pcscd with the
 * vsmartcard vpcd driver, the PC/SC binding, and a mount namespace of its own (pcscd's socket path
 * is fixed at /run/pcscd: a private one is bind-mounted there from a temp folder, so the tests
 * never touch a system pcscd).
 */
export function virtualReaderUnavailable(): string | undefined {
  if (!fs.existsSync(PCSCD)) return `${PCSCD} is missing (apt-get install pcscd; scripts/ensure-interop.sh does it)`;
  if (!fs.existsSync(VPCD_DRIVER)) return `${VPCD_DRIVER} is missing (apt-get install vsmartcard-vpcd)`;
  try {
    require.resolve('smartcard');
  } catch {
    return 'the PC/SC binding (optional dependency smartcard) is not installed (libpcsclite-dev, then npm rebuild smartcard)';
  }
  const ns = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (ns.status !== 0) return `no mount namespace for a private pcscd (unshare: ${(ns.stderr || ns.error?.message || '').trim()}): run the suite as root`;
  return undefined;
}

export interface VirtualReader {
  /** PCSCLITE_CSOCK_NAME for every PC/SC client of this reader (this process, the CLI, python) */
  env: { PCSCLITE_CSOCK_NAME: string };
  /** the reader holding the card (vpcd's slot 0) */
  name: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * A private pcscd whose vpcd reader connects to a card listening on 127.0.0.1:`cardPort`
 * (softkey --nfc listen:PORT): nothing listens beyond loopback. Resolves when pcscd's socket is
 * there and the reader lists its card.
 */
export async function startVirtualReader(cardPort: number): Promise<VirtualReader> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fh-pcscd-'));
  const conf = path.join(dir, 'reader.conf.d');
  const run = path.join(dir, 'run');
  fs.mkdirSync(conf);
  fs.mkdirSync(run);
  const name = 'fido2-harness virtual reader';
  fs.writeFileSync(path.join(conf, 'vpcd'), `FRIENDLYNAME "${name}"\nDEVICENAME 127.0.0.1:${cardPort}\nLIBPATH ${VPCD_DRIVER}\n`);
  const socket = path.join(run, 'pcscd.comm');
  let out = '';
  const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mkdir -p /run/pcscd && mount --bind "$1" /run/pcscd && exec ${PCSCD} --foreground --info --config "$2"`, 'sh', run, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(fs.existsSync(socket) && /daemon ready/.test(out))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the private pcscd did not come up: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { env: { PCSCLITE_CSOCK_NAME: socket }, name: `${name} 00 00`, log: () => out, stop };
}
