import type { RunReport } from '../checks/evaluateRun.ts';
import { keyChangeLines, runNotes } from './reportNotes.ts';

/**
 * Text as XML 1.0 character data: markup escaped, and every character XML 1.0 §2.2 forbids
 * removed (C0 controls but tab, LF, CR; U+FFFE and U+FFFF; surrogates that are not a pair),
 * so a run label or a key's answer can never make the file not well-formed.
 */
const xml = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');

/** JUnit XML: one testsuite per run (profile), one testcase per check (CI systems render it natively). */
export function renderJunit(reports: RunReport | RunReport[]): string {
  const list = Array.isArray(reports) ? reports : [reports];
  const total = (k: 'fail' | 'skip') => list.reduce((n, r) => n + r.counts[k], 0);
  const tests = list.reduce((n, r) => n + r.outcomes.length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fido2-harness" tests="${tests}" failures="${total('fail')}" skipped="${total('skip')}">`,
    ...list.map(suite),
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(r: RunReport): string {
  const cases = r.outcomes.map((o) => {
    const name = `${o.id}: ${o.title}`;
    const body = o.status === 'fail'
      ? `<failure type="${o.severity}" message="${xml(o.message)}">${xml(`expected: ${o.expected ?? ''}\nactual: ${o.actual ?? ''}\nsource: ${o.source}\nfix: ${o.fix}`)}</failure>`
      : o.status === 'skip' ? `<skipped message="${xml(o.message)}"/>` : '';
    return `    <testcase classname="fido2-harness.${o.area}" name="${xml(name)}">${body}</testcase>`;
  });
  return [
    `  <testsuite name="${xml(r.run.subject.label)}" tests="${r.outcomes.length}" failures="${r.counts.fail}" skipped="${r.counts.skip}" timestamp="${r.run.startedAt}">`,
    ...cases,
    ...(() => {
      const out = [...runNotes(r), ...keyChangeLines(r).map((l) => `key: ${l}`)];
      return out.length ? [`    <system-out>${xml(out.join('\n'))}</system-out>`] : [];
    })(),
    '  </testsuite>',
  ].join('\n');
}
