import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The four layers (teams → features → domain → infra) are enforced by the project's eslint configuration: an
 * import from a layer above fails `npm test`, and so does an import against the one-way order of the features
 * (bulk → notify → remediate; cards, commands and shared use no feature). This lints one-line files placed in each layer of a scratch tree
 * that uses that configuration, so the rule itself is checked, not just today's code.
 */
const root = path.resolve(__dirname, '../..');

const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ['src/infra/graph/fixture.ts', '../../domain/remediation/remediation'],
  ['src/infra/fixture.ts', '../features/cards/render'],
  ['src/domain/remediation/fixture.ts', '../../features/cards/render'],
  ['src/domain/actions/retry-provisioning/fixture.ts', '../../../teams/teams-bot'],
  ['src/features/bulk/fixture.ts', '../../teams/send-limiter'],
  ['src/domain/fixture.ts', 'botbuilder'],
  ['src/features/notify/fixture.ts', '@microsoft/teams-ai'],
  ['src/features/remediate/fixture.ts', '../bulk/bulk-service'],
  ['src/features/notify/fixture.ts', '../bulk/bulk-service'],
  ['src/features/cards/fixture.ts', '../notify/notifier'],
];

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ['src/teams/fixture.ts', '../features/cards/render'],
  ['src/teams/fixture.ts', 'botbuilder'],
  ['src/features/bulk/fixture.ts', '../../domain/remediation/remediation'],
  ['src/features/bulk/fixture.ts', '../notify/failure-ledger'],
  ['src/features/notify/fixture.ts', '../remediate/target-resolver'],
  ['src/features/audit/fixture.ts', '../cards/render'],
  ['src/domain/remediation/fixture.ts', '../../infra/clock'],
  ['src/infra/graph/fixture.ts', '../storage/state-store'],
];

interface LintResult {
  readonly filePath: string;
  readonly messages: ReadonlyArray<{ readonly ruleId: string | null; readonly message: string }>;
}

let scratch: string;
const errorsByCase = new Map<string, string[]>();

function caseFile(index: number, file: string): string {
  return file.replace(/fixture\.ts$/, `case${index}.ts`);
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  writeFileSync(
    path.join(scratch, 'eslint.config.mjs'),
    `export { default } from '${pathToFileURL(path.join(root, 'eslint.config.mjs')).href}';\n`,
  );
  [...REFUSED, ...ALLOWED].forEach(([file, specifier], index) => {
    const target = path.join(scratch, caseFile(index, file));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `import { x } from '${specifier}';\nexport const y = x;\n`);
  });
  let out: string;
  try {
    out = execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', 'src'],
      {
        cwd: scratch,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  for (const r of JSON.parse(out) as LintResult[]) {
    errorsByCase.set(
      path.relative(scratch, r.filePath).split(path.sep).join('/'),
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
    );
  }
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it.each(REFUSED.map(([file, specifier], index) => [file, specifier, index] as const))(
  'refuses %s importing %s (a layer above, or a Teams SDK)',
  (file, _specifier, index) => {
    expect(errorsByCase.get(caseFile(index, file))).toHaveLength(1);
  },
);

it.each(ALLOWED.map(([file, specifier], index) => [file, specifier, REFUSED.length + index] as const))(
  'lets %s import %s (its own layer or one below)',
  (file, _specifier, index) => {
    expect(errorsByCase.get(caseFile(index, file))).toEqual([]);
  },
);
