import net from 'node:net';

/** vsmartcard's vpcd port (its reader.conf default, 0x8C7B). */
export const VPCD_PORT = 35963;

/** An ISO 14443-4 card's ATR as PC/SC part 3 builds it for a contactless card with no historical bytes. */
export const CONTACTLESS_ATR = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);

/** What the card link hands the card: APDUs, and the reader's power switching. */
export interface VpcdCard {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** the card's own ATR (default CONTACTLESS_ATR) */
  atr?(): Uint8Array;
  /** the reader cut the field and brought it back (vpcd power off, then on) */
  powerCycle(): void;
  /** the reader reset the card (vpcd reset): deselected, nothing pending */
  reset(): void;
}

/** The largest frame vpcd sends (two length bytes): anything longer is a broken peer. */
const MAX_FRAME = 0xffff;

/**
 * The card's end of vsmartcard's vpcd protocol (the reader driver pcscd loads): frames of a
 * two-byte big-endian length and a payload. A one-byte payload is a control: 0 power off, 1 power
 * on, 2 reset, 4 ATR (answered with the ATR); anything longer is a command APDU, answered with
 * its response APDU. Frames are handled one after another, in order.
 */
export function attachVpcdCard(socket: net.Socket, card: VpcdCard, o: { atr?: Uint8Array; onEvent?: (what: string) => void } = {}): void {
  let buffered = Buffer.alloc(0);
  let chain = Promise.resolve();
  let poweredOff = false;
  const send = (payload: Uint8Array) => {
    if (socket.destroyed) return;
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    socket.write(Buffer.concat([head, payload]));
  };
  socket.setNoDelay(true);
  socket.on('data', (d) => {
    buffered = Buffer.concat([buffered, d]);
    while (buffered.length >= 2) {
      const n = buffered.readUInt16BE(0);
      if (n > MAX_FRAME || buffered.length < 2 + n) break;
      const frame = new Uint8Array(buffered.subarray(2, 2 + n));
      buffered = buffered.subarray(2 + n);
      chain = chain.then(async () => {
        if (frame.length === 1) {
          const ctl = frame[0]!;
          if (ctl === 0) {
            poweredOff = true;
            o.onEvent?.('power off');
          } else if (ctl === 1) {
            if (poweredOff) card.powerCycle();
            poweredOff = false;
            o.onEvent?.('power on');
          } else if (ctl === 2) {
            card.reset();
            o.onEvent?.('reset');
          } else if (ctl === 4) send(o.atr ?? card.atr?.() ?? CONTACTLESS_ATR);
          else socket.destroy();
          return;
        }
        if (frame.length === 0) return;
        send(await card.transmit(frame));
      }).catch(() => {
        socket.destroy();
      });
    }
  });
}

/** vpcd opens this many slots, one reader each, at PORT, PORT+1, … (its VICC_MAX_SLOTS). */
export const VPCD_SLOTS = 10;

/**
 * The reader connects to us: vpcd's DEVICENAME HOST:PORT makes it connect every slot it has to
 * PORT + slot. Slot 0 holds the FIDO card; the others hold a card without the FIDO applet (vpcd
 * 3.3 in this mode cannot show an empty slot: a link it drops is never re-established and its
 * next poll aborts pcscd). With port 0 a free run of VPCD_SLOTS ports is chosen.
 */
async function listenForVpcd(card: VpcdCard, at: { host: string; port: number }, o: { atr?: Uint8Array; onEvent?: (what: string) => void }): Promise<{ description: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const closeAll = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    let left = servers.length;
    if (!left) resolve();
    for (const srv of servers) srv.close(() => --left === 0 && resolve());
  });
  const bind = (port: number, slot: number) => new Promise<void>((resolve, reject) => {
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      if (slot === 0) {
        o.onEvent?.('reader connected');
        attachVpcdCard(s, card, o);
      } else attachVpcdCard(s, OTHER_CARD);
    });
    server.once('error', reject);
    server.listen(port, at.host, () => {
      servers.push(server);
      resolve();
    });
  });
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = at.port || 20000 + Math.floor(Math.random() * 40000);
    try {
      for (let slot = 0; slot < VPCD_SLOTS; slot++) await bind(base + slot, slot);
      return { description: `vpcd card on ${at.host}:${base} (the reader connects)`, port: base, close: closeAll };
    } catch (e) {
      await closeAll();
      servers.length = 0;
      if (at.port) throw e;
    }
  }
  throw new Error(`no run of ${VPCD_SLOTS} free ports on ${at.host}`);
}

/** A card with no FIDO applet: every APDU is answered 6A82 (application not found). */
const OTHER_CARD: VpcdCard = { transmit: async () => Uint8Array.of(0x6a, 0x82), powerCycle() {}, reset() {} };

/**
 * Serves the card to vpcd. `connect`: vpcd listens (its reader.conf DEVICENAME /dev/null:PORT, on
 * every interface) and the card connects to it, reconnecting when the link drops. `listen`: vpcd
 * connects to the card (DEVICENAME HOST:PORT), so nothing listens beyond the card's own address,
 * which must be loopback: this is how the test setup keeps the reader off the network.
 */
export async function serveVpcdCard(card: VpcdCard, where: { connect: { host: string; port: number } } | { listen: { host: string; port: number } }, o: { atr?: Uint8Array; onEvent?: (what: string) => void } = {}): Promise<{ description: string; port: number; close(): Promise<void> }> {
  if ('listen' in where) return listenForVpcd(card, where.listen, o);
  let closed = false;
  let socket: net.Socket | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = () => {
    if (closed) return;
    const s = net.connect(where.connect.port, where.connect.host);
    socket = s;
    s.on('connect', () => o.onEvent?.('connected to the reader'));
    s.on('error', () => {});
    s.on('close', () => {
      if (!closed) retry = setTimeout(connect, 500);
    });
    attachVpcdCard(s, card, o);
  };
  connect();
  return {
    description: `vpcd card connected to ${where.connect.host}:${where.connect.port}`,
    port: where.connect.port,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      socket?.destroy();
    },
  };
}
