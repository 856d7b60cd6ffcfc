/**
 * `npm run package [-- --env <name>]`: builds the Teams app package the way the Agents Toolkit's
 * teamsApp/zipAppPackage does, without the Toolkit. ${{VAR}} placeholders in appPackage/manifest.json are
 * filled from env/.env.<name>, then env/.env.<name>.user (secrets, git-ignored), then the process
 * environment; the manifest is validated against the published schema of its manifestVersion (shipped in
 * @microsoft/app-manifest, so no network is needed) and zipped with its icons into
 * appPackage/build/appPackage.<name>.zip.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestUtil, type TeamsAppManifest } from '@microsoft/teams-manifest';
import JSZip from 'jszip';

/** The repository root, where appPackage/ and env/ live. */
export const ROOT_DIR = path.resolve(__dirname, '..');

/** A ${{NAME}} placeholder, as the Toolkit writes them. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The package cannot be built; the message says what to fix (every unfilled placeholder at once). */
export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

/** Parses a Toolkit env file: KEY=VALUE lines, # comments, optional single or double quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    out[key] = value;
  }
  return out;
}

/** Values for an environment: env/.env.<env>, overridden by its .user file, overridden by `overrides`. */
export function loadEnvironment(
  env: string,
  envDir: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): { values: Record<string, string>; sources: string[] } {
  if (!/^[A-Za-z0-9_-]+$/.test(env)) throw new PackageError(`"${env}" is not an environment name`);
  const base = path.join(envDir, `.env.${env}`);
  if (!existsSync(base)) {
    throw new PackageError(`There is no ${path.relative(ROOT_DIR, base)}: create it, or pick another --env`);
  }
  const sources = [base];
  const values: Record<string, string> = { TEAMSFX_ENV: env, ...parseEnvFile(readFileSync(base, 'utf8')) };
  const user = `${base}.user`;
  if (existsSync(user)) {
    Object.assign(values, parseEnvFile(readFileSync(user, 'utf8')));
    sources.push(user);
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) values[key] = value;
  return { values, sources };
}

/**
 * Replaces every ${{NAME}}; a name that is unset, or empty (suffixes excepted: an empty APP_NAME_SUFFIX is
 * legitimate), is an error that lists all of them and where they were looked for.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, sources: string[]) {
  const unfilled = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined || (value === '' && !name.endsWith('_SUFFIX'))) {
      unfilled.add(name);
      return '';
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (unfilled.size > 0) {
    const where = sources.map((s) => path.relative(ROOT_DIR, s) || s).join(', ');
    throw new PackageError(
      `appPackage/manifest.json has unfilled placeholders: ${[...unfilled].map((n) => `\${{${n}}}`).join(', ')}. ` +
        `Set ${[...unfilled].join(', ')} in ${where} (the Toolkit's provision step writes them), or in the environment.`,
    );
  }
  return filled;
}

/** The published JSON schema of a manifest version, from @microsoft/app-manifest (no network needed). */
export function loadManifestSchema(manifestVersion: string): object {
  const folder = manifestVersion === 'devPreview' ? 'vDevPreview' : `v${manifestVersion}`;
  const pkg = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(pkg, 'build', 'json-schemas', 'teams', folder, 'MicrosoftTeams.schema.json');
  if (!existsSync(file)) throw new PackageError(`No published schema for manifestVersion ${manifestVersion}`);
  return JSON.parse(readFileSync(file, 'utf8')) as object;
}

/** Schema errors of a manifest (empty when valid), checked with @microsoft/teams-manifest's validator. */
export async function validateManifest(manifest: TeamsAppManifest): Promise<string[]> {
  const schema = loadManifestSchema(manifest.manifestVersion);
  const expectedUrl = new RegExp(
    `/json-schemas/teams/v${manifest.manifestVersion.replace('.', '\\.')}/MicrosoftTeams\\.schema\\.json$`,
  );
  const errors = await ManifestUtil.validateManifestAgainstSchema(
    manifest,
    schema as Parameters<typeof ManifestUtil.validateManifestAgainstSchema>[1],
  );
  if (!expectedUrl.test(manifest.$schema ?? '')) {
    errors.push(
      `$schema ${manifest.$schema ?? '(none)'} is not the schema of manifestVersion ${manifest.manifestVersion}`,
    );
  }
  return errors;
}

/** Options for {@link buildAppPackage}. */
export interface PackageOptions {
  /** Toolkit environment name: local, dev… */
  readonly env: string;
  /** Folder with manifest.json and its icons (default appPackage/). */
  readonly appPackageDir?: string;
  /** Folder with the .env.<env> files (default env/). */
  readonly envDir?: string;
  /** Where the zip goes (default appPackage/build/). */
  readonly outDir?: string;
  /** Values that win over the env files, e.g. process.env in CI. */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
}

/** Fills, validates and zips the app package; resolves the zip's path and the filled manifest. */
export async function buildAppPackage(
  opts: PackageOptions,
): Promise<{ zipPath: string; manifest: TeamsAppManifest }> {
  const appDir = opts.appPackageDir ?? path.join(ROOT_DIR, 'appPackage');
  const outDir = opts.outDir ?? path.join(appDir, 'build');
  const { values, sources } = loadEnvironment(
    opts.env,
    opts.envDir ?? path.join(ROOT_DIR, 'env'),
    opts.overrides,
  );
  const text = fillPlaceholders(readFileSync(path.join(appDir, 'manifest.json'), 'utf8'), values, sources);
  const manifest = JSON.parse(text) as TeamsAppManifest;
  const errors = await validateManifest(manifest);
  if (errors.length > 0) {
    throw new PackageError(`The filled manifest is not valid:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
  const zip = new JSZip();
  const date = new Date('2000-01-01T00:00:00Z');
  zip.file('manifest.json', text, { date });
  for (const icon of new Set([manifest.icons.color, manifest.icons.outline])) {
    const file = path.join(appDir, icon);
    if (!existsSync(file))
      throw new PackageError(`The manifest names the icon ${icon}, which is not in ${appDir}`);
    zip.file(icon, readFileSync(file), { date, binary: true });
  }
  mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, `appPackage.${opts.env}.zip`);
  writeFileSync(zipPath, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  writeFileSync(path.join(outDir, `manifest.${opts.env}.json`), text);
  return { zipPath, manifest };
}

function envFromArgs(argv: readonly string[]): string {
  const flag = argv.findIndex((a) => a === '--env' || a === '-e');
  if (flag >= 0) return argv[flag + 1] ?? '';
  const inline = argv.find((a) => a.startsWith('--env='));
  if (inline) return inline.slice('--env='.length);
  return argv.find((a) => !a.startsWith('-')) ?? process.env.TEAMSFX_ENV ?? 'dev';
}

if (require.main === module) {
  const env = envFromArgs(process.argv.slice(2));
  buildAppPackage({ env, overrides: process.env }).then(
    ({ zipPath }) => process.stdout.write(`Wrote ${path.relative(process.cwd(), zipPath)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof PackageError ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
