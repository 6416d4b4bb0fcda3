import { beforeAll, describe, expect, it } from 'vitest';
import { AttestationCa } from '../emulation/AttestationCa.ts';
import { runFaultCase } from '../run/faultMatrix.ts';
import type { RunReport } from '../checks/evaluateRun.ts';
import { HarnessError } from '../errors/HarnessError.ts';
import { seededRandom } from '../testing/seededRandom.ts';
import { readReports } from './readReports.ts';
import { diffReports } from './diffReports.ts';
import { renderHtml } from './renderHtml.ts';
import { renderJunit } from './renderJunit.ts';
import { renderMarkdown } from './renderMarkdown.ts';
import { renderText } from './renderText.ts';

/**
 * Reports come back from outside (CI artifacts, downloads). 5,000 seeded mutations of real
 * reports, at the byte level and the JSON level: each is refused with a HarnessError or read,
 * and whatever is read renders in every format and diffs without another exception.
 */
let reports: RunReport[];
beforeAll(async () => {
  const ca = await AttestationCa.create();
  reports = [await runFaultCase(ca), await runFaultCase(ca, { fault: 'noRk', features: { rk: false } })];
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const ODD: Json[] = [null, true, 0, -1, 1e308, '', 'x'.repeat(9000), '<script>alert(1)</script>', [], {}, [[]], { a: 1 }, 'pass', 'fail', 'skip', 'required', '2026-01-01T00:00:00Z', '__proto__'];

function mutate(doc: Json, r: () => number): Json {
  const copy = structuredClone(doc);
  // walk to a random node and replace, delete or duplicate something in it
  let node: Json = copy;
  for (let depth = 0; depth < 6 && node && typeof node === 'object'; depth++) {
    const keys = Object.keys(node);
    if (!keys.length || r() < 0.25) break;
    const k = keys[Math.floor(r() * keys.length)]!;
    const child = (node as Record<string, Json>)[k]!;
    if (!child || typeof child !== 'object' || r() < 0.3) {
      const op = r();
      if (op < 0.4) (node as Record<string, Json>)[k] = ODD[Math.floor(r() * ODD.length)]!;
      else if (op < 0.7) {
        if (Array.isArray(node)) node.splice(Number(k), 1);
        else delete (node as Record<string, Json>)[k];
      } else if (Array.isArray(node)) node.push(structuredClone(child));
      else (node as Record<string, Json>)[`${k}_`] = child;
      return copy;
    }
    node = child;
  }
  return copy;
}

describe('reading reports from outside', () => {
  it('5,000 mutated reports: refused with a HarnessError or read, and what is read renders and diffs', () => {
    const r = seededRandom(20261123);
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const base = reports[i % 2]!;
      let text: string;
      if (i % 3 === 0) {
        const bytes = Buffer.from(JSON.stringify(base));
        for (let n = 0; n < 1 + Math.floor(r() * 4); n++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
        text = r() < 0.2 ? bytes.subarray(0, Math.floor(r() * bytes.length)).toString('utf8') : bytes.toString('utf8');
      } else {
        let doc = JSON.parse(JSON.stringify(base)) as Json;
        for (let n = 0; n < 1 + Math.floor(r() * 3); n++) doc = mutate(doc, r);
        text = JSON.stringify(r() < 0.2 ? { reports: [doc, reports[1]] } : doc);
      }
      let got: RunReport[];
      try {
        got = readReports(text, `mutation ${i}`);
      } catch (e) {
        if (!(e instanceof HarnessError)) throw new Error(`mutation ${i}: ${(e as Error).stack}`);
        refused++;
        continue;
      }
      read++;
      for (const x of got) {
        try {
          renderHtml(x);
          renderMarkdown(x);
          renderJunit(x);
          renderText(x, false);
          diffReports(x, reports[0]!);
        } catch (e) {
          throw new Error(`mutation ${i} was read but does not render: ${(e as Error).stack}\n${text.slice(0, 2000)}`);
        }
      }
    }
    // both sides exercised: harmless edits (an added field, an odd evidence string) are read
    expect(read).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(2000);
  }, 120_000);
});
