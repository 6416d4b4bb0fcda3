import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from '../scripts/catalogue.ts';
import { faultMatrixMarkdown } from '../conformance/src/run/faultMatrix.ts';
import { findingCodesIn } from '../conformance/src/findings/findingCodes.ts';
import { CONFIG_FLAGS } from '../server/src/config.ts';

const readme = () => fs.readFileSync('README.md', 'utf8');

describe('README', () => {
  it('starts with the two commands', () => {
    const head = fs.readFileSync('README.md', 'utf8').split('\n').slice(0, 6).join('\n');
    expect(head).toContain('npm install && npm start');
    expect(head).toContain('npm install && npm test');
    expect(fs.readFileSync('.ci/run', 'utf8')).toContain('npm install && npm test');
  });

  it('carries the current check catalogue', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const copy = readme.slice(readme.indexOf('<!-- catalogue:start -->') + 24, readme.indexOf('<!-- catalogue:end -->')).trim();
    expect(copy).toBe(catalogueMarkdown());
  });

  it('lists every ceremony and certificate finding code in its verification-steps table', () => {
    const table = readme().slice(readme().indexOf('## Verification steps'), readme().indexOf('## Where the harness'));
    const missing = [...findingCodesIn('ceremony', 'certificate')].filter((c) => !table.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('carries the current fault matrix', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const copy = readme.slice(readme.indexOf('<!-- fault-matrix:start -->') + 27, readme.indexOf('<!-- fault-matrix:end -->')).trim();
    expect(copy).toBe(faultMatrixMarkdown());
  });

  it('lists every serve flag with its environment variable in the configuration table', () => {
    const table = readme().slice(readme().indexOf('## Configuration'), readme().indexOf('### Who may reach the server'));
    const rows = table.split('\n').filter((l) => l.startsWith('| `--'));
    const missing = CONFIG_FLAGS.filter(({ flag, env }) => !rows.some((r) => r.includes(`\`${flag}\``) && r.includes(`\`${env}`)));
    expect(missing).toEqual([]);
  });
});
