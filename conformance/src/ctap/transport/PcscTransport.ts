import { deviceError } from '../CtapError.ts';
import { HarnessError } from '../../errors/HarnessError.ts';
import { selectFidoApplet, type ApduTransport } from '../iso7816/NfcConnection.ts';
import { SW } from '../iso7816/apdu.ts';

/** The part of the `smartcard` module (N-API PC/SC bindings) the harness uses: tests may hand in their own. */
export interface PcscApi {
  Context: new () => { listReaders(): PcscReader[]; close(): void };
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_UNPOWER_CARD: number;
}
export interface PcscReader {
  readonly name: string;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<PcscCard>;
}
export interface PcscCard {
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  reconnect(shareMode?: number, protocol?: number, init?: number): Promise<number>;
  disconnect(disposition?: number): void;
}

/** Loads the optional `smartcard` module, or says plainly what is missing. */
export async function loadPcsc(): Promise<PcscApi> {
  try {
    const m = (await import('smartcard')) as unknown as PcscApi & { default?: PcscApi };
    return m.Context ? m : m.default!;
  } catch (e) {
    throw new HarnessError('BAD_USAGE', `NFC readers need PC/SC: the optional dependency "smartcard" did not load (${(e as Error).message.split('\n')[0]}). Install it (npm install smartcard; on Linux it builds against libpcsclite-dev, and pcscd must run)`, { cause: e });
  }
}

/** A PC/SC context, or a clear error when the PC/SC service is not there. */
function openContext(api: PcscApi): InstanceType<PcscApi['Context']> {
  try {
    return new api.Context();
  } catch (e) {
    throw deviceError('DEVICE_UNREACHABLE', `PC/SC: ${(e as Error).message} (is pcscd running?)`, e);
  }
}

/** The reader names PC/SC lists, or a clear error when the PC/SC service is not there. */
export function listPcscReaders(api: PcscApi): string[] {
  const ctx = openContext(api);
  try {
    return ctx.listReaders().map((r) => r.name);
  } finally {
    ctx.close();
  }
}

/** A reader's card with its FIDO applet, or why not (no card, SELECT refused). */
export async function probeReader(api: PcscApi, name: string): Promise<{ reader: string; fido: boolean; version?: string; why?: string }> {
  let t: PcscApduTransport | undefined;
  try {
    t = await PcscApduTransport.open(api, name);
    const r = await selectFidoApplet(t, 2000);
    return r.sw === SW.OK ? { reader: name, fido: true, version: Buffer.from(r.data).toString('utf8') } : { reader: name, fido: false, why: `SELECT of the FIDO applet answered ${r.sw.toString(16).toUpperCase()}` };
  } catch (e) {
    return { reader: name, fido: false, why: (e as Error).message };
  } finally {
    await t?.close();
  }
}

/** Every reader PC/SC lists, each with what its card answers to SELECT of the FIDO applet. */
export async function probeReaders(api: PcscApi): Promise<Awaited<ReturnType<typeof probeReader>>[]> {
  const out = [];
  for (const name of listPcscReaders(api)) out.push(await probeReader(api, name));
  return out;
}

/**
 * A card in a PC/SC reader as an APDU transport: `pcsc:READER` (or the first reader whose card
 * selects the FIDO applet). A power cycle reconnects with the card unpowered (the field switched
 * off and on: a new tap). Each APDU has a deadline: a card that answers nothing is a DEVICE_TIMEOUT
 * naming the APDU, and a reader that went away is DEVICE_UNREACHABLE.
 */
export class PcscApduTransport implements ApduTransport {
  readonly description: string;
  readonly reader: string;
  readonly atr?: Uint8Array;
  private closed = false;
  private readonly api: PcscApi;
  private readonly ctx: { close(): void };
  private readonly card: PcscCard;

  private constructor(api: PcscApi, ctx: { close(): void }, card: PcscCard, reader: string, atr?: Uint8Array) {
    this.atr = atr;
    this.api = api;
    this.ctx = ctx;
    this.card = card;
    this.reader = reader;
    this.description = `pcsc:${reader}`;
  }

  static async open(api: PcscApi, reader: string): Promise<PcscApduTransport> {
    const ctx = openContext(api);
    try {
      const found = ctx.listReaders().find((r) => r.name === reader);
      if (!found) throw deviceError('DEVICE_NOT_FOUND', `no PC/SC reader named ${JSON.stringify(reader)}`);
      const card = await found.connect(api.SCARD_SHARE_SHARED, api.SCARD_PROTOCOL_T0 | api.SCARD_PROTOCOL_T1).catch((e: Error) => {
        throw deviceError('DEVICE_NOT_FOUND', `pcsc:${reader}: no card to talk to (${e.message}): hold the key on the reader`, e);
      });
      return new PcscApduTransport(api, ctx, card, reader, found.atr ? new Uint8Array(found.atr) : undefined);
    } catch (e) {
      ctx.close();
      throw e;
    }
  }

  async transmit(apdu: Uint8Array, o: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    if (this.closed) throw deviceError('DEVICE_UNREACHABLE', `${this.description} is closed`);
    const ms = o.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        this.card.transmit(Buffer.from(apdu), { maxRecvLength: 65538 }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(deviceError('DEVICE_TIMEOUT', `${this.description}: no answer to APDU ${Buffer.from(apdu.subarray(0, 4)).toString('hex').toUpperCase()}… within ${ms} ms`)), ms);
        }),
      ]);
      return new Uint8Array(r);
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw deviceError('DEVICE_UNREACHABLE', `${this.description}: the card or reader went away (${(e as Error).message})`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The field off and on (SCardReconnect with SCARD_UNPOWER_CARD). */
  async powerCycle(): Promise<void> {
    try {
      await this.card.reconnect(this.api.SCARD_SHARE_SHARED, this.api.SCARD_PROTOCOL_T0 | this.api.SCARD_PROTOCOL_T1, this.api.SCARD_UNPOWER_CARD);
    } catch (e) {
      throw deviceError('DEVICE_UNREACHABLE', `${this.description}: the card did not come back after its power cycle (${(e as Error).message})`, e);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.card.disconnect(this.api.SCARD_LEAVE_CARD);
    } catch {
      // the card may already be gone
    }
    this.ctx.close();
  }
}

/** `pcsc:NAME` → NAME; `pcsc:` → '' (the first reader with a FIDO card). */
export function parsePcscSpec(spec: string): string {
  return spec.slice('pcsc:'.length);
}
