import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseEnvFile, ROOT_DIR } from '../../scripts/package-app';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { CONTOSO, CONTOSO_DELEGATED_SCOPES, contosoSeed } from '../fakes';
import { systemClock } from '../../src/infra/clock';

const read = (file: string) => readFileSync(path.join(ROOT_DIR, file), 'utf8');
const placeholders = (text: string) =>
  [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!);

interface Step {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
type Project = Record<'provision' | 'deploy' | 'publish', Step[] | undefined> & { version: string };

/** Values the Toolkit supplies itself: the environment name, and ids it generates on provision. */
const BUILT_IN = new Set(['TEAMSFX_ENV', 'AAD_APP_ACCESS_AS_USER_PERMISSION_ID']);

/** The bicep templates and parameter files an arm/deploy step deploys. */
function armTemplates(steps: Step[]): Array<{ path: string; parameters: string }> {
  return steps
    .filter((s) => s.uses === 'arm/deploy')
    .flatMap((s) => s.with?.templates as Array<{ path: string; parameters: string }>);
}

/** Every variable a step writes back into env/.env.<env> (writeToEnvironmentFile, ::set-teamsfx-env). */
function written(steps: Step[]): Set<string> {
  const out = new Set<string>();
  for (const step of steps) {
    for (const name of Object.values(step.writeToEnvironmentFile ?? {})) out.add(name);
    const run = typeof step.with?.run === 'string' ? step.with.run : '';
    for (const m of run.matchAll(/::set-teamsfx-env (\w+)=/g)) out.add(m[1]!);
  }
  // arm/deploy writes its templates' outputs into the env file.
  for (const t of armTemplates(steps)) {
    for (const m of read(t.path).matchAll(/^output (\w+) /gm)) out.add(m[1]!);
  }
  return out;
}

describe.each([
  ['m365agents.yml', 'dev'],
  ['m365agents.local.yml', 'local'],
])('%s (environment %s)', (file, env) => {
  const text = read(file);
  const project = parse(text) as Project;
  const steps = [...(project.provision ?? []), ...(project.deploy ?? []), ...(project.publish ?? [])];
  const envValues = parseEnvFile(read(`env/.env.${env}`));

  it('provisions the Teams app and the Entra app, and builds the same package as npm run package', () => {
    const uses = (project.provision ?? []).map((s) => s.uses);
    expect(uses).toEqual(expect.arrayContaining(['teamsApp/create', 'aadApp/create', 'aadApp/update']));
    const zip = (project.provision ?? []).find((s) => s.uses === 'teamsApp/zipAppPackage');
    expect(zip?.with).toMatchObject({
      manifestPath: './appPackage/manifest.json',
      outputZipPath: './appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip',
    });
    expect(project.deploy?.length).toBeGreaterThan(0);
  });

  it('only uses variables that the env file declares, the .user file holds, or an earlier step writes', () => {
    const sources = [text, read('appPackage/manifest.json'), read('aad.manifest.json')];
    for (const t of armTemplates(steps)) sources.push(read(t.parameters));
    const known = new Set([...Object.keys(envValues), ...written(steps), ...BUILT_IN]);
    const unknown = sources
      .flatMap(placeholders)
      .filter((name) => !known.has(name) && !name.startsWith('SECRET_'));
    expect([...new Set(unknown)]).toEqual([]);
  });
  it('deploys the Azure Bot with the OAuth connection card sign-in names, and gives the bot its name', () => {
    const [template, ...others] = armTemplates(project.provision ?? []);
    expect(others).toEqual([]);
    const bicep = read(template!.path);
    expect(bicep).toMatch(/module \w+ '\.\/botRegistration\/azurebot\.bicep'/);
    expect(bicep).toMatch(/oauthConnectionName: oauthConnectionName/);
    const parameters = (JSON.parse(read(template!.parameters)) as { parameters: Record<string, unknown> })
      .parameters;
    const declared = [...bicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    expect(declared).toEqual(expect.arrayContaining(Object.keys(parameters)));
    expect(parameters['oauthConnectionName']).toEqual({ value: '${{OAUTH_CONNECTION_NAME}}' });
    expect(envValues['OAUTH_CONNECTION_NAME']).toBe('approver-sign-in');
  });

  it('hands the OAuth connection name to the running bot', () => {
    const settings =
      file === 'm365agents.yml'
        ? [...read('infra/azure.bicep').matchAll(/\{ name: '(\w+)', value: (\w+) \}/g)].map((m) => [
            m[1],
            m[2],
          ])
        : Object.entries(
            ((project.deploy ?? []).find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')?.with
              ?.envs ?? {}) as Record<string, string>,
          );
    expect(settings).toContainEqual(
      file === 'm365agents.yml'
        ? ['OAUTH_CONNECTION_NAME', 'oauthConnectionName']
        : ['OAUTH_CONNECTION_NAME', '${{OAUTH_CONNECTION_NAME}}'],
    );
  });
});

describe('infra/botRegistration/azurebot.bicep', () => {
  const bicep = read('infra/botRegistration/azurebot.bicep');

  it('creates an Azure AD v2 OAuth connection with the Application ID URI as token exchange URL', () => {
    const connection = bicep.slice(bicep.indexOf("'Microsoft.BotService/botServices/connections@"));
    expect(connection).toMatch(/name: oauthConnectionName/);
    expect(connection).toMatch(/serviceProviderDisplayName: 'Azure Active Directory v2'/);
    expect(connection).toMatch(/clientId: aadAppClientId/);
    expect(connection).toMatch(/key: 'tokenExchangeUrl'\s+value: aadAppIdUri/);
    expect(connection).toMatch(/key: 'tenantID'\s+value: aadAppTenantId/);
    expect(connection).toMatch(/scopes: '[^']*\$\{aadAppIdUri\}\/access_as_user'/);
  });
});

describe('committed environment files', () => {
  it.each(['local', 'dev'])('env/.env.%s holds no secret value', (env) => {
    const values = parseEnvFile(read(`env/.env.${env}`));
    const secrets = Object.entries(values).filter(([k, v]) => /SECRET|PASSWORD/.test(k) && v !== '');
    expect(secrets).toEqual([]);
    expect(Object.keys(values).filter((k) => k.startsWith('SECRET_'))).toEqual([]);
  });

  it('keeps secrets and generated runtime settings out of git', () => {
    const ignored = read('.gitignore').split('\n');
    expect(ignored).toContain('env/.env.*.user');
    expect(ignored).toContain('.localConfigs');
    expect(ignored).toContain('appPackage/build/');
  });
});

describe('.m365agentsplayground.yml (the sandbox)', () => {
  interface Person {
    id: string;
    name: string;
    userPrincipleName: string;
    aadObjectId: string;
    email: string;
  }
  const config = parse(read('.m365agentsplayground.yml')) as {
    version: string;
    tenantId: string;
    bot: { id: string; name: string };
    currentUser: Person;
    users: Person[];
    team: { name: string; channels: Array<{ id: string; name: string }> };
  };
  const seed = contosoSeed(new Date());

  it('puts the bot in a team channel of the simulated tenant', () => {
    expect(config.version).toBe('0.1.1');
    expect(config.tenantId).toBe(CONTOSO.tenantId);
    expect(config.bot.name).toBe('Provisioning Fixer');
    expect(config.team.channels).toEqual([
      { id: expect.stringMatching(/@thread\.tacv2$/), name: 'Provisioning' },
    ]);
  });

  it('has the five other people the Playground takes, all from the simulated tenant', () => {
    expect(config.users).toHaveLength(5);
    for (const person of [config.currentUser, ...config.users]) {
      const user = seed.users?.find((u) => u.id === person.aadObjectId);
      expect(user).toMatchObject({ displayName: person.name, userPrincipalName: person.userPrincipleName });
      expect(person.email).toBe(person.userPrincipleName);
    }
    expect(new Set(config.users.map((u) => u.id)).size).toBe(5);
  });

  it('signs in as Ada, who holds every remediation role, so Approve succeeds', () => {
    expect(config.currentUser.aadObjectId).toBe(CONTOSO.admins.ada);
    expect(seed.roles?.[CONTOSO.admins.ada]).toEqual(
      expect.arrayContaining(['User Administrator', 'License Administrator', 'Cloud PC Administrator']),
    );
  });
});

describe('aad.manifest.json', () => {
  const manifest = JSON.parse(read('aad.manifest.json')) as {
    requiredResourceAccess: Array<{ resourceAccess: Array<{ id: string; type: string }> }>;
  };
  const scopes = manifest.requiredResourceAccess
    .flatMap((r) => r.resourceAccess)
    .filter((a) => a.type === 'Scope')
    .map((a) => a.id);

  it('lets the Bot Framework token service redirect back after a card sign-in', () => {
    const replies = (JSON.parse(read('aad.manifest.json')) as { replyUrlsWithType: unknown[] })
      .replyUrlsWithType;
    expect(replies).toContainEqual({ url: 'https://token.botframework.com/.auth/web/redirect', type: 'Web' });
  });

  it('requests the delegated permission of every remediation, which the simulated tenant consents to', () => {
    const actions = defaultRegistry(systemClock).actions;
    expect([...scopes].sort()).toEqual([...new Set(actions.map((a) => a.permission))].sort());
    expect([...CONTOSO_DELEGATED_SCOPES].sort()).toEqual([...scopes].sort());
  });
});
