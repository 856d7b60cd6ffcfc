/**
 * Second step of `npm run build`: bundles tsc's output (dist/src) and the dependencies it requires into the one
 * file that `npm start` runs (package.json "main"). Node then reads one file instead of resolving and reading
 * some 2,500 modules, which is most of a cold start. It bundles tsc's CommonJS output rather than the
 * TypeScript so packages resolve through their "require" conditions, as they do when the unbundled build runs.
 */
import { readFileSync } from 'node:fs';
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
  process.stdout.write(`bundled ${path.relative(ROOT, outfile)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
