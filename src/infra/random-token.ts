import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * Unguessable bytes for ids (remediations, audit entries, failures), drawn from the CSPRNG 4 KiB at a time
 * the way Node's randomUUID does: one call into it per id was a visible share of a command's CPU.
 */
export function randomToken(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (bytes > POOL_BYTES) return randomFillSync(Buffer.alloc(bytes)).toString(encoding);
  if (used + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const token = pool.toString(encoding, used, used + bytes);
  used += bytes;
  return token;
}
