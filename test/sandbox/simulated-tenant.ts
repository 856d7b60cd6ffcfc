import { contosoBotRegistration, contosoSeed, FakeEntra, FakeGraph, type SandboxSsoUser } from '../fakes';

/** The Contoso tenant on loopback: the Entra and Graph fakes the integration tests use, seeded alike. */
export interface SimulatedTenant {
  readonly entra: FakeEntra;
  readonly graph: FakeGraph;
  /** Every person in the seed, by object id: who the sandbox may sign in. */
  readonly people: ReadonlyMap<string, SandboxSsoUser>;
  close(): Promise<void>;
}

/** Application permissions of the bot's app registration: read-only, as the README prescribes. */
export const READ_ONLY_APP_ROLES = [
  'User.Read.All',
  'CloudPC.Read.All',
  'EntitlementManagement.Read.All',
  'Application.Read.All',
  'Synchronization.Read.All',
];

/**
 * Starts Entra and Graph simulators seeded with {@link contosoSeed}: users with provisioning and licence
 * errors, Cloud PC policies with failed devices, failed access package requests and provisioning apps.
 * The app registration gets its Application ID URI and a sandbox sign-in endpoint that stands in for
 * Teams SSO, since the Agents Playground has none.
 */
export async function startSimulatedTenant(now: () => number = Date.now): Promise<SimulatedTenant> {
  const entra = await FakeEntra.start({ now });
  try {
    entra.registerClient(
      contosoBotRegistration({ roles: READ_ONLY_APP_ROLES, displayName: 'Provisioning Fixer (sandbox)' }),
    );
    const seed = contosoSeed(new Date(now()));
    const people = new Map<string, SandboxSsoUser>(
      (seed.users ?? []).map((u) => [u.id, { oid: u.id, name: u.displayName, upn: u.userPrincipalName }]),
    );
    entra.enableSandboxSso((oid) => people.get(oid.toLowerCase()));
    const graph = await FakeGraph.start({ entra, seed });
    return {
      entra,
      graph,
      people,
      close: async () => {
        await Promise.all([graph.close(), entra.close()]);
      },
    };
  } catch (err) {
    await entra.close();
    throw err;
  }
}
