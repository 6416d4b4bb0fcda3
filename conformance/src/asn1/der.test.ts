import { describe, expect, it } from 'vitest';
import { readTlv, decodeInteger, decodeDerString } from './der.ts';

const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('DER (X.690)', () => {
  it('lengths in the shortest form only (§10.1): long form for a short length, or a leading zero octet, is refused', () => {
    expect(readTlv(hex('04 03 010203'), 0)).toMatchObject({ contentStart: 2, end: 5 });
    expect(readTlv(hex(`04 81 80 ${'00'.repeat(128)}`), 0).end).toBe(131);
    expect(() => readTlv(hex('04 81 03 010203'), 0)).toThrow(/long form where the short form fits/);
    expect(() => readTlv(hex(`04 82 0080 ${'00'.repeat(128)}`), 0)).toThrow(/leading zero octet/);
    expect(() => readTlv(hex('04 80 00 00'), 0)).toThrow(/indefinite length/);
  });

  it('an INTEGER has at least one contents octet (§8.3.1)', () => {
    expect(decodeInteger(readTlv(hex('02 01 05'), 0))).toBe(5);
    expect(decodeInteger(readTlv(hex('02 01 ff'), 0))).toBe(-1);
    expect(() => decodeInteger(readTlv(hex('02 00'), 0))).toThrow(/empty INTEGER/);
  });

  it('character strings by their type: BMPString big-endian, UniversalString UCS-4, TeletexString Latin-1, UTF8String', () => {
    expect(decodeDerString(readTlv(hex('1e 06 00410042 00e9'), 0))).toBe('ABé');
    expect(decodeDerString(readTlv(hex('1c 08 00000041 0001f600'), 0))).toBe('A😀');
    expect(decodeDerString(readTlv(hex('14 02 41e9'), 0))).toBe('Aé');
    expect(decodeDerString(readTlv(hex('0c 03 41c3a9'), 0))).toBe('Aé');
    expect(() => decodeDerString(readTlv(hex('1e 03 004100'), 0))).toThrow(/odd length/);
    expect(() => decodeDerString(readTlv(hex('1c 03 000041'), 0))).toThrow(/4-byte characters/);
    expect(() => decodeDerString(readTlv(hex('1c 04 00110000'), 0))).toThrow(/beyond Unicode/);
  });
});
