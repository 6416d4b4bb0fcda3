/** npm run -s catalogue: the check catalogue as a Markdown table (docs/checks.md carries it: npm run docs). */
import { CHECKS } from '../conformance/src/checks/registry.ts';

export function catalogueMarkdown(): string {
  const rows = CHECKS.map((c) => `| \`${c.id}\` | ${c.area} | ${c.severity} | ${c.title} | ${c.source.replace(/\|/g, '\\|')} |`);
  return ['| ID | area | severity | what it checks | source |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${catalogueMarkdown()}\n`);
