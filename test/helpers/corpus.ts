import fs from 'node:fs';
import path from 'node:path';

/** ../shared/corpus: other projects' real data, read in place (never copied into the repo). */
export const CORPUS = path.resolve(process.env.FIDO2_CORPUS ?? '../shared/corpus');
export const hasCorpus = fs.existsSync(path.join(CORPUS, 'manifest.json'));

export interface ManifestSample {
  id: string;
  kind: 'registration' | 'authentication';
  fmt?: string;
  expected: { verified: boolean; reason?: string };
}

export function manifest(): ManifestSample[] {
  return hasCorpus ? JSON.parse(fs.readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) : [];
}

export function sample(id: string): any {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, 'samples', `${id}.json`), 'utf8'));
}

export function corpusFile(rel: string): string {
  return fs.readFileSync(path.join(CORPUS, rel), 'utf8');
}
