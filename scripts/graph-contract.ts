/**
 * `npm run graph:contract -- --repo <msgraph-metadata checkout or git dir> [--ref <commit>]
 *   [--v1 <file> --v1-commit <sha>] [--beta <file> --beta-commit <sha> --beta-note <text>]`
 *
 * Regenerates test/contract/graph-description.json, the slice of Microsoft Graph's published CSDL metadata
 * (github.com/microsoftgraph/msgraph-metadata, schemas/<version>-Prod.csdl) that the product's calls touch,
 * and the README's Graph section. The generated file is committed: CI has no internet. See docs/graph-contract.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { readCsdl } from '../test/contract/csdl';
import {
  DESCRIPTION_PATH,
  type GraphDescription,
  type SourceFile,
  type Version,
} from '../test/contract/description';
import { GRAPH_SURFACE } from '../test/contract/graph-surface';
import { README_PATH, withGraphSection } from '../test/contract/readme-section';
import { sliceDescription } from '../test/contract/slice';

const REPOSITORY = 'https://github.com/microsoftgraph/msgraph-metadata';
const FILES: Record<Version, string> = { 'v1.0': 'schemas/v1.0-Prod.csdl', beta: 'schemas/beta-Prod.csdl' };

function args(): Map<string, string> {
  const out = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i] ?? '';
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) throw new Error(`expected --name value, got ${key}`);
    out.set(key.slice(2), value);
  }
  return out;
}

function git(repo: string, ...rest: string[]): string {
  return execFileSync('git', ['-C', repo, ...rest], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** One version's CSDL text and where it came from: a file given on the command line, or the repository. */
function source(opts: Map<string, string>, version: Version): { xml: string; from: SourceFile } {
  const key = version === 'v1.0' ? 'v1' : 'beta';
  const file = opts.get(key);
  const note = opts.get(`${key}-note`);
  if (file) {
    const commit = opts.get(`${key}-commit`);
    if (!commit)
      throw new Error(`--${key} needs --${key}-commit: the msgraph-metadata commit the file is from`);
    return {
      xml: readFileSync(file, 'utf8'),
      from: { repository: REPOSITORY, file: FILES[version], commit, ...(note ? { note } : {}) },
    };
  }
  const repo = opts.get('repo');
  if (!repo) throw new Error('give --repo <msgraph-metadata checkout> (or --v1 and --beta files)');
  const ref = opts.get('ref') ?? 'HEAD';
  const commit = git(repo, 'rev-parse', ref).trim();
  return {
    xml: git(repo, 'show', `${commit}:${FILES[version]}`),
    from: { repository: REPOSITORY, file: FILES[version], commit, ...(note ? { note } : {}) },
  };
}

function main(): void {
  const opts = args();
  const v1 = source(opts, 'v1.0');
  const beta = source(opts, 'beta');
  const description: GraphDescription = {
    generatedBy: 'npm run graph:contract (scripts/graph-contract.ts); do not edit by hand',
    sources: { 'v1.0': v1.from, beta: beta.from },
    versions: {
      'v1.0': sliceDescription(readCsdl(v1.xml), 'v1.0', GRAPH_SURFACE),
      beta: sliceDescription(readCsdl(beta.xml), 'beta', GRAPH_SURFACE),
    },
  };
  writeFileSync(DESCRIPTION_PATH, `${JSON.stringify(description, null, 1)}\n`);
  writeFileSync(README_PATH, withGraphSection(readFileSync(README_PATH, 'utf8'), description));
  const count = (v: Version) => Object.keys(description.versions[v].types).length;
  process.stdout.write(
    `wrote ${join('test', 'contract', 'graph-description.json')} (v1.0: ${count('v1.0')} types, beta: ${count('beta')} types) and the README's Graph section\n`,
  );
}

main();
