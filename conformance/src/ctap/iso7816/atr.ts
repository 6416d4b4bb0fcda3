/**
 * What a contactless card's ATR (as PC/SC part 3 builds it from the ISO 14443-4 answer) says it
 * can do. ISO 7816-4 §8.1.1.2.7: the card capabilities (compact-TLV tag 7 in the historical
 * bytes), whose third byte holds "command chaining" (b8) and "extended Lc and Le fields" (b7).
 */
export interface CardCapabilities {
  chaining: boolean;
  extended: boolean;
}

const CHAINING = 0x80;
const EXTENDED = 0x40;

/** The historical bytes of an ATR (T0's low nibble counts them; they follow the interface bytes). */
export function historicalBytes(atr: Uint8Array): Uint8Array | undefined {
  if (atr.length < 2) return undefined;
  const k = atr[1]! & 0x0f;
  let y = atr[1]! >> 4;
  let at = 2;
  for (;;) {
    const present = [0x1, 0x2, 0x4, 0x8].filter((bit) => y & bit).length;
    const td = y & 0x8 ? atr[at + present - 1] : undefined;
    at += present;
    if (td === undefined) break;
    y = td >> 4;
    if (at > atr.length) return undefined;
  }
  return at + k <= atr.length ? atr.subarray(at, at + k) : undefined;
}

/** The card capabilities the ATR declares, or undefined when it declares none (no claim either way). */
export function cardCapabilities(atr: Uint8Array | undefined): CardCapabilities | undefined {
  const h = atr && historicalBytes(atr);
  if (!h || h[0] !== 0x80) return undefined;
  for (let i = 1; i < h.length;) {
    const tag = h[i]! >> 4;
    const len = h[i]! & 0x0f;
    const value = h.subarray(i + 1, i + 1 + len);
    if (tag === 0x7 && value.length >= 3) return { chaining: (value[2]! & CHAINING) !== 0, extended: (value[2]! & EXTENDED) !== 0 };
    i += 1 + len;
  }
  return undefined;
}

/** A contactless card's ATR carrying its card capabilities (3B 8n 80 01, the historical bytes, TCK). */
export function contactlessAtr(c: CardCapabilities): Uint8Array {
  const hist = [0x80, 0x73, 0x00, 0x00, (c.chaining ? CHAINING : 0) | (c.extended ? EXTENDED : 0)];
  const body = [0x80 | hist.length, 0x80, 0x01, ...hist];
  const tck = body.reduce((x, b) => x ^ b, 0);
  return Uint8Array.from([0x3b, ...body, tck]);
}
