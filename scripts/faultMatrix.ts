/** npm run -s fault-matrix: the fault -> failing checks table (docs/software-key.md carries it: npm run docs). */
import { faultMatrixMarkdown } from '../conformance/src/run/faultMatrix.ts';

process.stdout.write(`${faultMatrixMarkdown()}\n`);
