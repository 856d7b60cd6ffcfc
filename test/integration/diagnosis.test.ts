import { CONTOSO, failingUsers } from '../fakes';
import { auditTimeline } from '../faults/fault-helpers';
import { cardActions, cardText } from './card-helpers';
import { click, command, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/** A distribution group that still holds Alice's address, as Exchange's error says another recipient does. */
const HOLDER = {
  id: '60000000-0000-4000-8000-0000000000a5',
  displayName: 'Sales team',
  memberIds: [],
  mail: 'sales@contoso.com',
  proxyAddresses: ['SMTP:sales@contoso.com', 'smtp:alice@contoso.com'],
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('a proxy address conflict', () => {
  beforeEach(() => {
    h.graph.store.groups.push(structuredClone(HOLDER));
  });

  it('names the object that holds the address and offers Retry anyway instead of Approve', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const text = cardText(sent.card);
    expect(text.indexOf('A retry cannot help until this is fixed')).toBeLessThan(text.indexOf('On record'));
    expect(text).toMatch(/Object to fix: group Sales team \(sales@contoso\.com\)/);
    expect(text).toMatch(/Fix first: Remove the address from the object that holds it/);
    expect(text).toContain(`Holder of alice@contoso.com`);
    expect(JSON.stringify(sent.card)).toContain(`groupId/${HOLDER.id}`);
    expect(cardActions(sent.card).map((a) => a.title)).toEqual(['Retry anyway', 'Reject', 'Cancel']);
    const input = JSON.stringify(sent.card);
    expect(input).toMatch(/"id":"retryReason"[^}]*"isRequired":true/);

    const lookup = h.graph.requests.find((r) => r.path === '/groups' && r.query['$filter']);
    expect(lookup?.query['$filter']).toBe("proxyAddresses/any(p:p eq 'smtp:alice@contoso.com')");
    expect(lookup?.headers['consistencylevel']).toBeUndefined();
  });

  it('diagnoses the errors the look-up read and asks users, groups and contacts at once', async () => {
    const hold = h.graph.hold(/\/users$/);
    const sent = command(h, 'retry-provisioning alice@contoso.com');
    try {
      await hold.waitForArrival();
      const holderSearch = (path: string) => (r: { path: string; query: Record<string, string> }) =>
        r.path === path && /proxyAddresses/.test(r.query['$filter'] ?? '');
      await h.graph.waitForRequest(holderSearch('/groups'));
      await h.graph.waitForRequest(holderSearch('/contacts'));
    } finally {
      hold.release();
    }
    expect(cardText((await sent).card)).toMatch(/Object to fix: group Sales team/);
    const userReads = h.graph.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/users/'));
    expect(userReads).toHaveLength(1);
  });

  it('turns Approve back, asks Retry anyway for a reason, and audits the reason it runs with', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const rid = cardActions(sent.card).find((a) => a.verb === 'retry-anyway')?.data.rid;

    // An Approve click from an older card of the same request, or a crafted invoke.
    const approved = await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada), { rid });
    expect(cardText(approved.value)).toMatch(/A retry cannot help until this is fixed: Remove the address/);
    const bare = await click(h, sent, 'retry-anyway', PEOPLE.ada, h.ssoToken(PEOPLE.ada), { rid });
    expect(cardText(bare.value)).toMatch(/Retry anyway needs a reason/);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);

    const reason = 'Sales team was changed a minute ago';
    await click(h, sent, 'retry-anyway', PEOPLE.ada, h.ssoToken(PEOPLE.ada), { rid, retryReason: reason });
    await outcomeReply(h, 'Retry service provisioning for Alice Smith');
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
    // History shows where it stands; the remediation's timeline keeps the reason it was approved with.
    expect(await auditTimeline(h, String(rid))).toContain(`retry anyway: ${reason}`);
  });

  it('marks the targets of a bulk request a retry cannot help yet, first, with what to fix', async () => {
    const other = failingUsers(1, new Date(h.clock.now())).users[0];
    if (!other) throw new Error('one failing user');
    h.graph.store.users.push(other);
    const sent = await command(h, `retry-provisioning ${other.userPrincipalName} alice@contoso.com`);
    const text = cardText(sent.card);
    expect(text).toMatch(/A retry cannot help 1 of them until something is fixed/);
    expect(text).toMatch(
      /Targets \(2\)\n• ✗ Alice Smith.*A retry cannot help yet\. Fix first: Remove the address from the object that holds it/s,
    );
    expect(text).toContain(`${other.displayName}`);
    expect(cardActions(sent.card).find((a) => a.verb === 'approve')?.title).toBe('Approve all 2');
  });

  it('lets the requester not approve their own request through Retry anyway either', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.ada);
    const rid = cardActions(sent.card).find((a) => a.verb === 'retry-anyway')?.data.rid;
    const own = await click(h, sent, 'retry-anyway', PEOPLE.ada, h.ssoToken(PEOPLE.ada), {
      rid,
      retryReason: 'urgent',
    });
    expect(cardText(own.value)).toMatch(/four-eyes/i);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
  });
});

describe('an address no one holds any more', () => {
  it('keeps Approve and says a retry can help now', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).not.toMatch(/A retry cannot help/);
    expect(text).toMatch(/No other user, group or contact in Entra holds alice@contoso\.com now/);
    expect(cardActions(sent.card).map((a) => a.title)).toContain('Approve');
  });
});

describe('a licence in CountViolation', () => {
  it('shows the product by name with its consumed and enabled seats, and offers only Retry anyway', async () => {
    const sku = h.graph.store.subscribedSkus[0];
    if (!sku) throw new Error('the Contoso seed has a subscribed SKU');
    sku.consumedUnits = 25;
    const sent = await command(h, 'reprocess-license alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/A retry cannot help until this is fixed/);
    expect(text).toMatch(/Seats of ENTERPRISEPREMIUM\n25 assigned of 25 enabled/);
    expect(text).toMatch(/Object to fix: product ENTERPRISEPREMIUM/);
    expect(cardActions(sent.card).map((a) => a.title)).not.toContain('Approve');
  });

  it('names the product and the licensing group on record, not their ids', async () => {
    const text = cardText((await command(h, 'reprocess-license alice@contoso.com')).card);
    expect(text).toMatch(
      /ENTERPRISEPREMIUM: Error \(CountViolation\), from group Licensing - Microsoft 365 E5/,
    );
    expect(text).not.toMatch(/c7df2760-2c81-4ef7-b578-5b5392b571df: Error/);
    expect(h.graph.requests.filter((r) => r.path === '/subscribedSkus')).toHaveLength(1);
  });

  it('says reprocessing can help once a seat is free', async () => {
    const sent = await command(h, 'reprocess-license alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/Seats of ENTERPRISEPREMIUM\n24 assigned of 25 enabled/);
    expect(text).toMatch(/1 seat is free again/);
    expect(cardActions(sent.card).map((a) => a.title)).toContain('Approve');
  });
});

describe('a licence that conflicts with another product of the user', () => {
  const E1 = '18181a46-0d4e-45cd-891e-60aabd171b4e';
  const EXCHANGE_S_STANDARD = '9aaf7827-d63c-4b61-89c3-182f06f82e5c';

  it.each(['MutuallyExclusiveViolation', 'DependencyViolation'])(
    '%s names the product, the user’s other products and the plans turned off for them',
    async (error) => {
      h.graph.store.subscribedSkus.push({
        skuId: E1,
        skuPartNumber: 'STANDARDPACK',
        consumedUnits: 3,
        enabledUnits: 10,
        servicePlans: [{ servicePlanId: EXCHANGE_S_STANDARD, servicePlanName: 'EXCHANGE_S_STANDARD' }],
      });
      const alice = h.graph.findUser(CONTOSO.users.alice);
      const [failing, active] = alice?.licenseAssignmentStates ?? [];
      if (!failing || !active) throw new Error('the Contoso seed gives Alice two licence states');
      failing.error = error as typeof failing.error;
      active.skuId = E1;
      active.disabledPlans = [EXCHANGE_S_STANDARD];

      const text = cardText((await command(h, 'reprocess-license alice@contoso.com')).card);
      expect(text).toMatch(/A retry cannot help until this is fixed/);
      expect(text).toMatch(/Product\nENTERPRISEPREMIUM/);
      expect(text).toMatch(/Object to fix: product ENTERPRISEPREMIUM/);
      expect(text).toMatch(/Other products of the user\nSTANDARDPACK/);
      expect(text).toMatch(/Plans turned off for the user\nEXCHANGE_S_STANDARD \(in STANDARDPACK\)/);
      expect(h.graph.requests.filter((r) => r.path === '/subscribedSkus')).toHaveLength(1);
    },
  );
});

describe('an access package request that failed delivery', () => {
  it('gives the cause and next step, and keeps Approve where a reprocess can help', async () => {
    const sent = await command(h, `reprocess-access-request ${CONTOSO.requests.failed}`);
    const text = cardText(sent.card);
    expect(text).toMatch(
      /Entitlement management could not add the user to the access package’s resources\. A retry can help/,
    );
    expect(text).not.toMatch(/A retry cannot help/);
    expect(cardActions(sent.card).map((a) => a.title)).toContain('Approve');
  });
});

describe('a licence refused in the user’s usage location', () => {
  it('shows the usage location and names the user to fix', async () => {
    const alice = h.graph.findUser(CONTOSO.users.alice);
    const state = alice?.licenseAssignmentStates?.[0];
    if (!alice || !state) throw new Error('the Contoso seed gives Alice a licence in error');
    state.error = 'ProhibitedInUsageLocationViolation';
    alice.usageLocation = null;
    const sent = await command(h, 'reprocess-license alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/A retry cannot help until this is fixed/);
    expect(text).toMatch(/Usage location\nnot set/);
    expect(text).toMatch(/Object to fix: user Alice Smith/);
    expect(JSON.stringify(sent.card)).toContain(`userId/${CONTOSO.users.alice}`);
  });
});

describe('a Cloud PC policy whose Cloud PCs failed', () => {
  it('names each failed Cloud PC with its status detail and diagnoses it before the button', async () => {
    const pc = h.graph.store.cloudPcs.find((p) => p.id === 'cpc-1');
    if (pc)
      pc.statusDetail = {
        code: 'intuneEnrollFailed',
        message: 'Intune enrollment failed because of an enrollment restriction.',
      };
    const sent = await command(h, 'retry-cloudpc-policy "Frontline shift workers"');
    const text = cardText(sent.card);
    expect(text).toMatch(
      /CPC-FL-1: Intune enrollment failed because of an enrollment restriction\. \(intuneEnrollFailed\)/,
    );
    expect(text).toMatch(/CPC-FL-2: failed, without a status detail/);
    expect(text).toMatch(/Type\nshared by entra group/);
    expect(text).toMatch(/A retry cannot help until this is fixed/);
    expect(text).toMatch(/Fix first: In Intune, set the device type enrollment restriction/);
    expect(cardActions(sent.card).map((a) => a.title)).toEqual(['Retry anyway', 'Reject', 'Cancel']);
    const read = h.graph.requests.find((r) => r.path === '/deviceManagement/virtualEndpoint/cloudPCs');
    expect(read?.query['$select']).toBe('id,displayName,status,statusDetail');
  });
});
