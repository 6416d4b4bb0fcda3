import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './helpers/importGraph.ts';

/**
 * One copy of the logic a CTAP client must get right once: how an extension's input is built and
 * its output read (ctap/ctap2/extensions/, one file each), which PIN/UV token a request gets
 * (chooseVerification and obtainToken), and the hmac-secret salt encryption. The WebAuthn client,
 * the probes and the session all ask these; a second copy is how a fix reaches one caller and not
 * the other. Held here over the source, strings and comments told apart from code.
 */
const ROOT = path.resolve('conformance/src');
const rel = (f: string) => path.relative(ROOT, f);

/** the file split into code (strings and comments blanked) and its string literals */
function lex(text: string): { code: string; strings: string[] } {
  let code = '';
  const strings: string[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        s += text[j] ?? '';
        j++;
      }
      strings.push(s);
      code += c + c;
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}

const files = sourceFiles(ROOT).map((f) => ({ file: rel(f), ...lex(fs.readFileSync(f, 'utf8')) }));
const clientSide = (f: string) => /^(ctap|platform|run)\//.test(f);

describe('one copy of the extension and token-choice logic', () => {
  it('the lexer tells code from strings and comments (so the rules below can fail)', () => {
    expect(lex(`const a = 'hmac-secret'; // saltEnc\n/* tokenUsingPin */ x.saltEnc("b\\"c")`)).toEqual({ code: "const a = ''; \n x.saltEnc(\"\")", strings: ['hmac-secret', 'b"c'] });
  });

  it('extension identifiers appear on the client side only in their own file under ctap/ctap2/extensions/', async () => {
    const dir = path.join(ROOT, 'ctap/ctap2/extensions');
    const names = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      for (const v of Object.values(await import(path.join(dir, f)))) {
        const name = (v as { name?: unknown } | undefined)?.name;
        if (typeof v === 'object' && v && typeof name === 'string') names.add(name);
      }
    }
    expect([...names].sort()).toEqual(['credBlob', 'credProtect', 'hmac-secret', 'hmac-secret-mc', 'largeBlob', 'largeBlobKey', 'minPinLength', 'pinComplexityPolicy', 'thirdPartyPayment']);
    // where the same word names something else: a response member, a getInfo member, a metadata field
    const otherMeaning = new Map([['ctap/ctap2/Ctap2Client.ts', ['largeBlobKey']], ['ctap/ctap2/compareGetInfo.ts', ['pinComplexityPolicy']], ['run/faultMatrix.ts', ['credBlob']]]);
    const copies = files
      .filter((f) => clientSide(f.file) && !f.file.startsWith('ctap/ctap2/extensions/'))
      .flatMap((f) => f.strings.filter((s) => names.has(s) && !otherMeaning.get(f.file)?.includes(s)).map((s) => `${f.file}: '${s}'`));
    expect(copies).toEqual([]);
  });

  it('PIN/UV tokens are asked for only through obtainToken, and the choice read from getInfo only in chooseVerification', () => {
    const calls = files.filter((f) => clientSide(f.file) && f.file !== 'ctap/ctap2/clientPin.ts' && /\.(tokenUsingUv|tokenUsingPin|getPinToken)\(/.test(f.code)).map((f) => f.file);
    expect(calls).toEqual([]);
    const choosers = files.filter((f) => clientSide(f.file) && /options\.pinUvAuthToken\b|opts\.pinUvAuthToken\b/.test(f.code)).map((f) => f.file);
    expect(choosers).toEqual(['ctap/ctap2/chooseVerification.ts']);
  });

  it('the hmac-secret salts are encrypted and authenticated in one client file and read in one device file', () => {
    const where = files.filter((f) => /\bsalt(Enc|Auth)\b/.test(f.code)).map((f) => f.file);
    expect(where).toEqual(['ctap/ctap2/extensions/hmacSecret.ts', 'emulation/device/extensions/hmacSecret.ts']);
  });
});
