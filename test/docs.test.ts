import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_BLOCKS, blockIn } from '../scripts/docs.ts';
import { findingCodesIn } from '../conformance/src/findings/findingCodes.ts';
import { CONFIG_FLAGS } from '../server/src/config.ts';

/**
 * The README and docs/*.md kept true: the two commands first, every generated table equal to
 * what the code says today (`npm run docs` rewrites them), the hand-written reference tables
 * complete, and every relative link landing on a file and heading that exist.
 */
const read = (f: string) => fs.readFileSync(f, 'utf8');
const DOCS = fs.readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const base = m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

describe('README and docs', () => {
  it('the README starts with the two commands, and .ci/run runs the second', () => {
    const head = read('README.md').split('\n').slice(0, 6).join('\n');
    expect(head).toContain('npm install && npm start');
    expect(head).toContain('npm install && npm test');
    expect(read('.ci/run')).toContain('npm install && npm test');
  });

  it('the README stays short and links every docs page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(150);
    expect(DOCS.filter((d) => !readme.includes(`](${d})`))).toEqual([]);
  });

  for (const b of GENERATED_BLOCKS) {
    it(`${b.file} carries the current ${b.marker} table (npm run docs rewrites it)`, () => {
      expect(blockIn(read(b.file), b.marker)).toBe(b.make());
    });
  }

  it('docs/verification.md lists every ceremony and certificate finding code', () => {
    const page = read('docs/verification.md');
    expect([...findingCodesIn('ceremony', 'certificate')].filter((c) => !page.includes(`\`${c}\``))).toEqual([]);
  });

  it('docs/configuration.md lists every serve flag with its environment variable', () => {
    const rows = read('docs/configuration.md').split('\n').filter((l) => l.startsWith('| `--'));
    expect(CONFIG_FLAGS.filter(({ flag, env }) => !rows.some((r) => r.includes(`\`${flag}\``) && r.includes(`\`${env}`)))).toEqual([]);
  });

  it('every relative link lands on a file that exists, and on a heading that exists there', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...DOCS]) {
      const text = read(file).replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/.test(link)) continue;
        const [target, anchor] = link.split('#') as [string, string | undefined];
        const to = target ? path.join(path.dirname(file), target) : file;
        if (!fs.existsSync(to)) broken.push(`${file}: ${link} (no ${to})`);
        else if (anchor && to.endsWith('.md') && !anchorsOf(read(to)).has(anchor)) broken.push(`${file}: ${link} (no heading #${anchor} in ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the anchor rule is GitHub\'s (so the link test can fail)', () => {
    expect([...anchorsOf("# A\n## Over USB, at the CTAP level\n## Revocation of the BLOB's signing chain\n```\n# not a heading\n```\n## A")]).toEqual(['a', 'over-usb-at-the-ctap-level', 'revocation-of-the-blobs-signing-chain', 'a-1']);
  });
});
