/**
 * Second step of `npm run build`: bundles tsc's output (dist/src) and the dependencies it requires into the one
 * file that `npm start` runs (package.json "main"). Node then reads one file instead of resolving and reading
 * some 2,500 modules, which is most of a cold start. It bundles tsc's CommonJS output rather than the
 * TypeScript so packages resolve through their "require" conditions, as they do when the unbundled build runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');

/** Where the bundle goes: package.json's "main", so `npm start`, the bench and the tests agree. */
export function bundleEntry(root = ROOT): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
  return path.join(root, pkg.main);
}

/** restify requires its native DTrace probes inside a try/catch; left out, they stay optional. */
const OPTIONAL_NATIVE = ['dtrace-provider'];

/**
 * V8 keeps a script's source on the heap for as long as the script lives, one byte per character only if
 * every character is Latin-1. esbuild escapes strings and identifiers to ASCII but leaves comments and regular
 * expression literals as they are, and a hundred such characters (an arrow in a comment, full-width digits in
 * a recognizer's regex) made the 18 MB bundle a two-byte string: 36 MB of every process's idle heap, and a
 * larger heap V8 grows under load. Each remaining UTF-16 unit is written as a `\u` escape, which means the
 * same inside a regular expression (an identity escape of it, `\é`, becomes the escape alone) and is only
 * text inside a comment. U+2028/U+2029 are refused instead: in a comment they end a line, which an escape
 * would not. Source-map columns after an escape on the same line shift by five per escape; those lines are
 * comments and regex tables in dependencies.
 */
export function asciiOnly(source: string): string {
  const separator = /[\u2028\u2029]/.exec(source);
  if (separator) {
    throw new Error(
      `The bundle has a line or paragraph separator at offset ${separator.index}; it cannot be escaped safely`,
    );
  }
  return source.replace(/(\\*)([\u0080-\uffff])/g, (_match, slashes: string, unit: string) => {
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

async function main(): Promise<void> {
  const outfile = bundleEntry();
  const result = await build({
    entryPoints: [path.join(ROOT, 'dist/src/index.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external: OPTIONAL_NATIVE,
    logLevel: 'warning',
  });
  if (result.errors.length > 0) process.exit(1);
  writeFileSync(outfile, asciiOnly(readFileSync(outfile, 'utf8')));
  process.stdout.write(`bundled ${path.relative(ROOT, outfile)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
