/** npm run -s fault-matrix: the fault -> failing checks table (the README's copy is tested against it). */
import { faultMatrixMarkdown } from '../conformance/src/run/faultMatrix.ts';

process.stdout.write(`${faultMatrixMarkdown()}\n`);
