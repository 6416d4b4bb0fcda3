import { HarnessError } from '../errors/HarnessError.ts';
import { parseCommandArgs } from './args.ts';
import { fidoDevices, loadNodeHid, type NodeHidApi } from '../ctap/transport/NodeHidTransport.ts';
import type { CliIo } from './main.ts';
import { loadPcsc, probeReaders, type PcscApi } from '../ctap/transport/PcscTransport.ts';

/** The PC/SC readers and what answers on each, or why PC/SC is not there (never an exit: USB may be all there is). */
async function readers(pcsc?: PcscApi): Promise<{ readers: { name: string; fido: boolean; version?: string; why?: string }[]; unavailable?: string }> {
  try {
    const probed = await probeReaders(pcsc ?? (await loadPcsc()));
    return { readers: probed.map((p) => ({ name: p.reader, fido: p.fido, ...(p.version ? { version: p.version } : {}), ...(p.why ? { why: p.why } : {}) })) };
  } catch (e) {
    return { readers: [], unavailable: (e as Error).message };
  }
}

export const DEVICES_USAGE = `usage: fido2-harness devices [--json]

Lists the FIDO security keys plugged in over USB (HID usage page 0xF1D0): path, vendor and
product IDs, manufacturer, product. Pass a path to probe or check --ctap with --device PATH.
On Linux your user needs read/write access to /dev/hidraw* (see docs/transports.md, USB).
Then the PC/SC (NFC) readers and whether the card on each selects the FIDO applet: pass
--device pcsc:NAME (or pcsc: for the first with a FIDO card).

exit: 0 (also when none is plugged in), 2 USB access is not available
`;

export async function devicesCommand(argv: string[], io: CliIo & { nodeHid?: NodeHidApi; pcsc?: PcscApi }): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, DEVICES_USAGE);
  if (v.help) {
    io.out.write(DEVICES_USAGE);
    return 0;
  }
  if (positionals.length) throw new HarnessError('BAD_USAGE', `unexpected argument ${positionals[0]}\n${DEVICES_USAGE}`);
  const hid = io.nodeHid ?? (await loadNodeHid());
  let list;
  try {
    list = fidoDevices(hid);
  } catch (e) {
    throw new HarnessError('DEVICE_UNREACHABLE', `cannot list HID devices: ${(e as Error).message}`, { cause: e });
  }
  const rows = list.map((d) => ({ path: d.path!, vendorId: `0x${d.vendorId.toString(16).padStart(4, '0')}`, productId: `0x${d.productId.toString(16).padStart(4, '0')}`, manufacturer: d.manufacturer ?? null, product: d.product ?? null, serialNumber: d.serialNumber ?? null }));
  const nfc = await readers(io.pcsc);
  if (v.json) {
    io.out.write(`${JSON.stringify({ devices: rows, readers: nfc.readers, ...(nfc.unavailable ? { readersUnavailable: nfc.unavailable } : {}) }, null, 2)}\n`);
    return 0;
  }
  if (!rows.length) io.err.write('no FIDO security key found over USB (plug one in; on Linux check the hidraw permissions: see docs/transports.md, USB)\n');
  else for (const r of rows) io.out.write(`${r.path}  ${r.vendorId}:${r.productId}  ${r.manufacturer ?? '?'} ${r.product ?? '?'}\n`);
  if (nfc.unavailable) io.err.write(`NFC readers: ${nfc.unavailable}\n`);
  else if (!nfc.readers.length) io.err.write('no PC/SC (NFC) reader connected\n');
  for (const r of nfc.readers) io.out.write(`pcsc:${r.name}  ${r.fido ? `FIDO applet (${r.version})` : `no FIDO key: ${r.why}`}\n`);
  return 0;
}
