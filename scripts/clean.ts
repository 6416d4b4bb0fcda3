/** npm run build starts from an empty dist/, so no file of a renamed module lingers in the package. */
import fs from 'node:fs';

fs.rmSync('dist', { recursive: true, force: true });
