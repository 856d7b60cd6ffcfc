import { VerificationStore } from '../../src/domain/remediation/verification-store';
import { BlobStateStore } from '../../src/infra/storage/blob-state-store';
import type { StateStore } from '../../src/infra/storage/state-store';
import { startAzurite, type Azurite } from './azurite';

jest.setTimeout(60_000);

/**
 * Two bot instances share one Azure Blob container (here Azurite) and both look for due verification checks
 * at the same moment: the blob's If-Match/If-None-Match conditions let exactly one of them claim each check.
 */
let azurite: Azurite;
const opened: StateStore[] = [];
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await azurite.stop();
});

const T0 = Date.parse('2026-11-22T12:00:00Z');
const CLAIM_MS = 5 * 60_000;

async function instance(): Promise<VerificationStore> {
  const store = await BlobStateStore.open(azurite.connectionString, 'verifyclaims');
  opened.push(store);
  return new VerificationStore(store, CLAIM_MS);
}

it('two instances on one blob container claim each due check exactly once', async () => {
  const [a, b] = await Promise.all([instance(), instance()]);
  const rids = Array.from({ length: 12 }, (_, n) => `r${n}`);
  await Promise.all(rids.map((rid) => a.schedule(rid, [T0 + 120_000, T0 + 600_000])));
  await b.schedule('r0', [T0]);

  const now = T0 + 120_000;
  const claims = await Promise.all(
    rids.flatMap((rid) =>
      [a.claim(rid, 'a', now), b.claim(rid, 'b', now)].map((p) => p.then((c) => [rid, c] as const)),
    ),
  );
  const won = claims.filter(([, c]) => c !== undefined).map(([rid]) => rid);
  expect(won.sort()).toEqual([...rids].sort());

  // The next check, after the first was finished by its winner, is again claimed once.
  await Promise.all(
    claims.filter(([, c]) => c).map(([, c]) => (c?.checks.claim?.by === 'a' ? a : b).finish(c!, false, now)),
  );
  const later = T0 + 600_000;
  const second = await Promise.all(
    rids.flatMap((rid) => [a.claim(rid, 'a', later), b.claim(rid, 'b', later)]),
  );
  expect(second.filter(Boolean)).toHaveLength(rids.length);
  expect(second.filter(Boolean).every((c) => c?.last)).toBe(true);
});
