import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCbor, decodeCborItem } from './decodeCbor.ts';
import { encodeCbor } from './encodeCbor.ts';
import { HarnessError } from '../errors/HarnessError.ts';

const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

function badCbor(h: string | Uint8Array, re: RegExp) {
  try {
    decodeCbor(typeof h === 'string' ? hex(h) : h, 'test');
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessError);
    expect((e as HarnessError).code).toBe('BAD_CBOR');
    expect((e as Error).message).toMatch(re);
    return;
  }
  throw new Error(`expected BAD_CBOR for ${h}`);
}

describe('decodeCbor', () => {
  it('decodes the RFC 8949 Appendix A examples it supports', () => {
    expect(decodeCbor(hex('00'), 't').value).toBe(0);
    expect(decodeCbor(hex('1903e8'), 't').value).toBe(1000);
    expect(decodeCbor(hex('1b000000e8d4a51000'), 't').value).toBe(1000000000000);
    expect(decodeCbor(hex('3863'), 't').value).toBe(-100);
    expect(decodeCbor(hex('1bffffffffffffffff'), 't').value).toBe(18446744073709551615n);
    expect(decodeCbor(hex('4401020304'), 't').value).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(decodeCbor(hex('62c3bc'), 't').value).toBe('ü');
    expect(decodeCbor(hex('83010203'), 't').value).toEqual([1, 2, 3]);
    expect(decodeCbor(hex('a201020304'), 't').value).toEqual(new Map([[1, 2], [3, 4]]));
    expect(decodeCbor(hex('f4'), 't').value).toBe(false);
    expect(decodeCbor(hex('f6'), 't').value).toBe(null);
    expect(decodeCbor(hex('f93c00'), 't').value).toBe(1);
    expect(decodeCbor(hex('fb3ff199999999999a'), 't').value).toBe(1.1);
  });

  it('reports where an item ends, for data that follows it (authData layout)', () => {
    const d = decodeCborItem(hex('a10102 ff'), 0, 't');
    expect(d.end).toBe(3);
  });

  it('decodes indefinite-length items (RFC 8949 §3.2) and reports each as not canonical', () => {
    expect(decodeCbor(hex('9f 01 02 ff'), 't')).toMatchObject({ value: [1, 2], nonCanonical: [expect.stringMatching(/^indefinite-length array at offset 0/)] });
    expect(decodeCbor(hex('5f 42 0102 41 03 ff'), 't').value).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeCbor(hex('7f 62 6869 61 21 ff'), 't').value).toBe('hi!');
    const m = decodeCbor(hex('bf 01 9f ff 02 5f ff ff'), 't');
    expect(m.value).toEqual(new Map<number, unknown>([[1, []], [2, new Uint8Array()]]));
    expect(m.nonCanonical).toHaveLength(3);
    // the item's end is known exactly, so what follows (authData extensions) still parses
    expect(decodeCborItem(hex('bf 01 02 ff a0'), 0, 't').end).toBe(4);
  });

  it('flags non-canonical encodings without rejecting them', () => {
    expect(decodeCbor(hex('1805'), 't').nonCanonical[0]).toMatch(/1-byte argument/);
    expect(decodeCbor(hex('190005'), 't').nonCanonical[0]).toMatch(/2-byte/);
    expect(decodeCbor(hex('a203040102'), 't').nonCanonical[0]).toMatch(/canonical order/);
    // length-first: "bb" (2 chars) after "a" (1 char) is canonical; the reverse is not
    expect(decodeCbor(hex('a2 6161 01 626262 02'), 't').nonCanonical).toEqual([]);
    expect(decodeCbor(hex('a2 626262 02 6161 01'), 't').nonCanonical).toHaveLength(1);
  });

  it('rejects structure it cannot trust', () => {
    badCbor('', /truncated/);
    badCbor('19 01', /truncated/);
    badCbor('44 0102', /truncated/);
    badCbor('5a ffffffff', /truncated: declared length/);
    badCbor('9f 01', /truncated/);
    badCbor('5f 41 00 61 61 ff', /chunk of an indefinite-length byte string must be a definite-length byte string/);
    badCbor('5f 5f 41 00 ff ff', /chunk of an indefinite-length byte string/);
    badCbor('ff', /unsupported simple value 31/);
    badCbor('1f', /indefinite length is allowed only for strings, arrays and maps/);
    badCbor('bf 01 ff', /unsupported simple value 31/);
    badCbor('c1 1a514b67b0', /tags/);
    badCbor('a2 01 02 01 03', /duplicate map key/);
    badCbor('a1 40 01', /map key/);
    badCbor('62 c328', /UTF-8/);
    badCbor('1c', /reserved/);
    badCbor('f0', /simple value/);
    badCbor('00 00', /trailing/);
    badCbor(new Uint8Array(100).fill(0x81), /deeper/);
  });

  it('round-trips what our encoder writes, and is canonical for it', () => {
    for (let i = 0; i < 200; i++) {
      const v = new Map<number | string, unknown>([
        [1, crypto.randomInt(0, 2 ** 31)],
        [3, -crypto.randomInt(1, 70000)],
        [-1, crypto.randomBytes(crypto.randomInt(0, 300))],
        ['fmt', 'x'.repeat(crypto.randomInt(0, 30))],
        ['list', [true, false, null, 23, 24, 255, 256, 65535, 65536]],
      ]);
      const bytes = encodeCbor(v);
      const d = decodeCbor(bytes, 't');
      expect(d.end).toBe(bytes.length);
      const m = d.value as Map<number | string, unknown>;
      expect(m.get(1)).toBe(v.get(1));
      expect(m.get(3)).toBe(v.get(3));
      expect(Buffer.from(m.get(-1) as Uint8Array).equals(v.get(-1) as Buffer)).toBe(true);
      expect(m.get('list')).toEqual(v.get('list'));
    }
  });

  it('never throws anything but BAD_CBOR on random input (20,000 samples)', () => {
    for (let i = 0; i < 20000; i++) {
      const b = crypto.randomBytes(crypto.randomInt(0, 64));
      try {
        decodeCbor(b, 'fuzz');
      } catch (e) {
        if (!(e instanceof HarnessError) || e.code !== 'BAD_CBOR') throw new Error(`input ${b.toString('hex')} raised ${String(e)}`);
      }
    }
  });
});
