/** npm run -s catalogue: the check catalogue as a Markdown table (docs/checks.md carries it: npm run docs). */
import { catalogueMarkdown } from '../conformance/src/report/catalogueTables.ts';

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${catalogueMarkdown()}\n`);
