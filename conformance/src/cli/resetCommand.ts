import { HarnessError } from '../errors/HarnessError.ts';
import { CtapError } from '../ctap/CtapError.ts';
import { CTAP_STATUS } from '../ctap/status.ts';
import { KEEPALIVE } from '../ctap/constants.ts';
import { formatAaguid } from '../encoding/formatAaguid.ts';
import { parseCommandArgs } from './args.ts';
import { deviceFromArgs, DEVICE_HELP, DEVICE_OPTIONS } from './deviceArgs.ts';
import type { CliIo } from './main.ts';
import type { NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';

export const RESET_USAGE = `usage: fido2-harness reset --allow-reset [--device PATH|udp:HOST:PORT]

Sends authenticatorReset: the key forgets EVERY credential on it (for every site, not only the
harness's), its PIN and its large blobs. Nothing else in fido2-harness ever resets a key; this
command refuses to run without --allow-reset. Most USB keys accept a reset only within about
10 seconds of being plugged in, and only with a touch.

${DEVICE_HELP}
  --allow-reset      yes, wipe the key

exit: 0 the key was reset, 1 the key refused (named), 2 the key cannot be reached, or bad usage
`;

export async function resetCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi }): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, { ...DEVICE_OPTIONS, 'allow-reset': { type: 'boolean' } }, RESET_USAGE);
  if (v.help) {
    io.out.write(RESET_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${RESET_USAGE}`);
  if (!v['allow-reset']) throw new HarnessError('BAD_USAGE', 'reset wipes every credential and the PIN on the key: add --allow-reset if that is what you want');
  const device = await deviceFromArgs(v, { nodeHid: io.nodeHid });
  try {
    if (!device.ctap2) throw new HarnessError('BAD_USAGE', 'this key speaks only CTAP1/U2F, which has no reset command');
    const aaguid = device.info ? formatAaguid(device.info.aaguid) : 'unknown';
    io.err.write(`WARNING: resetting the key with AAGUID ${aaguid}: every credential on it and its PIN will be gone\n`);
    let prompted = false;
    try {
      await device.ctap2.reset({
        allowReset: true,
        userPresenceTimeoutMs: 30_000,
        onKeepalive: (s) => {
          if (s === KEEPALIVE.UP_NEEDED && !prompted) {
            prompted = true;
            io.err.write('touch the key now to confirm the reset\n');
          }
        },
      });
    } catch (e) {
      if (!(e instanceof CtapError)) throw e;
      const hint = e.ctapStatus === CTAP_STATUS.CTAP2_ERR_NOT_ALLOWED ? ' (unplug the key, plug it back in and run this within 10 seconds)' : e.ctapStatus === CTAP_STATUS.CTAP2_ERR_USER_ACTION_TIMEOUT ? ' (nobody touched the key)' : '';
      io.err.write(`the key refused the reset: ${e.message}${hint}\n`);
      return 1;
    }
    io.out.write(`the key with AAGUID ${aaguid} was reset\n`);
    return 0;
  } finally {
    await device.close();
  }
}
