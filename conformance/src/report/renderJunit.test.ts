import { describe, expect, it } from 'vitest';
import { newRun } from '../run/runPlan.ts';
import { evaluateRun } from '../checks/evaluateRun.ts';
import { renderJunit } from './renderJunit.ts';

/** Characters XML 1.0 §2.2 allows: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF (as surrogate pairs). */
const XML_CHARS = /^(?:[\t\n\r\u0020-\ud7ff\ue000-\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;

describe('renderJunit', () => {
  it('stays well-formed XML whatever the label holds: U+FFFE, U+FFFF, lone surrogates, C0 controls, markup', () => {
    const label = 'Key \ufffe\uffff one \ud800 two \udc00 \u0001\u001f <tag attr="x"> & \ud83d\ude00';
    const run = newRun({ rp: { id: 'rp.example', name: 'x' }, origin: 'https://rp.example', subject: { label, via: 'software' } });
    const xml = renderJunit(evaluateRun(run, { at: new Date(Date.UTC(2030, 0, 1)) }));
    expect(xml).toMatch(XML_CHARS);
    expect(Buffer.from(xml, 'utf8').toString('utf8')).toBe(xml);
    expect(xml).toContain('name="Key  one  two   &lt;tag attr=&quot;x&quot;&gt; &amp; \ud83d\ude00"');
  });
});
