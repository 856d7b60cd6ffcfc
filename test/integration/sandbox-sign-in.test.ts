import { createSandboxTokenSource } from '../../src/infra/auth/sandbox-token-source';
import { loadConfig, type Config } from '../../src/infra/config';
import { CONTOSO } from '../fakes';
import { cardText } from './card-helpers';
import { click, command, oboRequests } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

const ALICE = 'retry-provisioning alice@contoso.com';
const people = new Map<string, { oid: string; name: string; upn: string }>(
  Object.values(PEOPLE).map((p) => [
    p.aadObjectId,
    { oid: p.aadObjectId, name: p.name, upn: `${p.name.split(' ')[0]!.toLowerCase()}@contoso.com` },
  ]),
);

describe('sandbox sign-in (the Agents Playground does no SSO)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('approves with the token the simulated tenant issues, still validated and exchanged on-behalf-of', async () => {
    h = await startHarness({ SANDBOX_MODE: 'true' });
    h.entra.enableSandboxSso((oid) => people.get(oid));
    const sent = await command(h, ALICE, PEOPLE.reggie);
    const done = await click(h, sent, 'approve', PEOPLE.ada);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    const signIn = h.entra.requests.filter((r) => r.grantType === 'sandbox_sso');
    expect(signIn).toEqual([expect.objectContaining({ status: 200, clientId: CONTOSO.clientId })]);
    expect(signIn[0]!.form['client_secret']).toBe('***');
    expect(oboRequests(h).map((r) => r.status)).toEqual([200]);
    const write = h.graph.writes()[0];
    expect(write?.token).toMatchObject({ oid: CONTOSO.admins.ada, idtyp: 'user' });
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
  });

  it('asks for a sign-in, and runs nothing, when the simulated tenant does not know the clicker', async () => {
    h = await startHarness({ SANDBOX_MODE: 'true' });
    h.entra.enableSandboxSso(() => undefined);
    const sent = await command(h, ALICE, PEOPLE.reggie);
    const body = await click(h, sent, 'approve', PEOPLE.ada);
    expect(body.statusCode).toBe(401);
    expect(h.entra.requests.filter((r) => r.grantType === 'sandbox_sso').map((r) => r.status)).toEqual([400]);
    expect(oboRequests(h)).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);
  });

  it('is not used outside sandbox mode: a click without SSO gets the Teams loginRequest', async () => {
    h = await startHarness();
    h.entra.enableSandboxSso((oid) => people.get(oid));
    const sent = await command(h, ALICE, PEOPLE.reggie);
    const body = await click(h, sent, 'approve', PEOPLE.ada);
    expect(body.statusCode).toBe(401);
    expect(h.entra.requests.filter((r) => r.grantType === 'sandbox_sso')).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);
  });
});

describe('createSandboxTokenSource', () => {
  const base = loadConfig({
    AAD_APP_CLIENT_ID: CONTOSO.clientId,
    AAD_APP_CLIENT_SECRET: CONTOSO.clientSecret,
    AAD_APP_TENANT_ID: CONTOSO.tenantId,
    AAD_APP_OAUTH_AUTHORITY_HOST: 'https://127.0.0.1:9',
    SANDBOX_MODE: 'true',
  });
  const withAad = (aad: Partial<Config['aad']>, sandboxMode = true): Config => ({
    ...base,
    sandboxMode,
    aad: { ...base.aad, ...aad },
  });

  it('refuses to exist outside sandbox mode', () => {
    expect(() => createSandboxTokenSource(withAad({}, false))).toThrow(/only with SANDBOX_MODE=true/);
  });

  it('refuses an authority that is not a loopback simulator', () => {
    expect(() =>
      createSandboxTokenSource(withAad({ authorityHost: 'https://login.microsoftonline.com' })),
    ).toThrow(/loopback/);
  });

  it('asks the simulated tenant for the clicker by object id, as the app, and gives up quietly on an error', async () => {
    const calls: Array<{ url: string; body: string }> = [];
    const source = createSandboxTokenSource(base, {
      fetch: async (url, init) => {
        calls.push({ url: String(url), body: String(init?.body) });
        return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 });
      },
    });
    await expect(source({ aadObjectId: CONTOSO.admins.ada })).resolves.toBeUndefined();
    await expect(source({ aadObjectId: undefined })).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`https://127.0.0.1:9/${CONTOSO.tenantId}/oauth2/v2.0/sandbox-sso-token`);
    const form = new URLSearchParams(calls[0]!.body);
    expect(form.get('user_oid')).toBe(CONTOSO.admins.ada);
    expect(form.get('client_id')).toBe(CONTOSO.clientId);
  });
});
