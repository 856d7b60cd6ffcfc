import { CONTOSO } from '../fakes';
import { cardActions, cardText } from '../integration/card-helpers';
import { approve, click, command, oboRequests, teamsClient } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';

jest.setTimeout(30_000);

/**
 * Authorization gaps not covered elsewhere. Already tested: A's token on B's click, a foreign signature, a
 * wrong audience and a foreign tenant's token (test/integration/approval-security.test.ts), tenants outside
 * ALLOWED_TENANT_IDS for messages and clicks (same file), non-approvers and four-eyes self-approval
 * (test/integration/governance.test.ts). Here: forged issuers and algorithms, and installs from foreign tenants.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const ALICE = 'retry-provisioning alice@contoso.com';
const AUDIENCE = `api://botid-${CONTOSO.clientId}`;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Claims of a proper token for Ada, to be tampered with. */
function adaClaims(): Record<string, unknown> {
  const now = Math.floor(h.clock.now() / 1000);
  return {
    aud: AUDIENCE,
    iss: `${h.entra.url}/${CONTOSO.tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    oid: PEOPLE.ada.aadObjectId,
    tid: CONTOSO.tenantId,
    name: PEOPLE.ada.name,
    ver: '2.0',
  };
}

it.each<[string, () => string, RegExp]>([
  [
    'a token whose issuer is another authority',
    () => h.entra.signClaims({ ...adaClaims(), iss: 'https://evil.example.com/v2.0' }),
    /claim "iss" is wrong/,
  ],
  [
    'a token whose issuer names another tenant than its tid',
    () => h.entra.signClaims({ ...adaClaims(), iss: `${h.entra.url}/${CONTOSO.foreignTenantId}/v2.0` }),
    /claim "iss" is wrong/,
  ],
  [
    'an unsigned token (alg none)',
    () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(adaClaims())}.`,
    /rejected/,
  ],
  [
    'a token whose payload was edited after signing (oid swapped to Ada)',
    () => {
      const [header, , signature] = h.ssoToken(PEOPLE.nora).split('.');
      return `${header}.${b64(adaClaims())}.${signature}`;
    },
    /bad signature/,
  ],
  [
    'a token without an object id',
    () => {
      const claims = adaClaims();
      delete claims.oid;
      return h.entra.signClaims(claims);
    },
    /no object id/,
  ],
])('refuses %s: nothing runs, the card stays pending', async (_what, make, reason) => {
  const sent = await command(h, ALICE);
  const refused = await click(h, sent, 'approve', PEOPLE.ada, make());
  expect(refused.statusCode).toBe(200);
  const text = cardText(refused.value);
  expect(text).toMatch(/Approval refused/);
  expect(text).toMatch(reason);
  expect(cardActions(refused.value).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
  expect(oboRequests(h)).toHaveLength(0);
  expect(h.graph.writes()).toHaveLength(0);
  // Ada's real token still works afterwards.
  expect(cardText((await approve(h, sent)).value)).toMatch(/^Accepted by Microsoft Graph/);
});

it('ignores an installation from a tenant outside ALLOWED_TENANT_IDS: no reference is stored', async () => {
  const foreign = teamsClient(h, { tenantId: CONTOSO.foreignTenantId });
  const res = await foreign.installationUpdate({
    action: 'add',
    from: PEOPLE.ada,
    conversationType: 'groupChat',
  });
  expect(res.status).toBeLessThan(300);
  expect(await h.app.notifications.directory.references()).toEqual([]);
  await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
  expect(await h.app.notifications.directory.references()).toHaveLength(1);
});
