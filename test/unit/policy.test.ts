import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Authorizer } from '../../src/domain/governance/authorizer';
import type { MembershipChecker } from '../../src/domain/governance/group-membership';
import { defaultPolicy, DEFAULT_EXPIRY_MS } from '../../src/domain/governance/policy';
import { parsePolicy, PolicyError } from '../../src/domain/governance/policy-file';

const ACTIONS = [
  'retry-provisioning',
  'reprocess-license',
  'retry-cloudpc-policy',
  'reprocess-access-request',
  'provision-on-demand',
];
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const G = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

function problems(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yaml', ACTIONS);
  } catch (err) {
    if (err instanceof PolicyError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('parsePolicy errors name the line and the key', () => {
  it.each([
    ['a typo in a key', 'default:\n  aprovers: {}\n', /^line 2, default\.aprovers: unknown key "aprovers"/],
    [
      'an unknown action',
      'actions:\n  retry-provisoning: {}\n',
      /^line 2, actions\.retry-provisoning: is not an action/,
    ],
    ['a bad mode', 'default:\n  mode: two-eyes\n', /^line 2, default\.mode: /],
    [
      'a bad id',
      `default:\n  approvers:\n    users: [${A}, alice]\n`,
      /^line 3, default\.approvers\.users\.1: must be an Entra object id/,
    ],
    ['a bad expiry', 'default:\n  expiry: tomorrow\n', /^line 2, default\.expiry: must be a duration/],
    ['a zero expiry', 'default:\n  expiry: 0\n', /^line 2, default\.expiry: must be a duration/],
    ['broken YAML', 'default:\n  mode: [four-eyes\n', /^line \d+: /],
    ['an unknown top-level key', 'defaults: {}\n', /^line 1, defaults: unknown key "defaults"/],
  ])('%s', (_name, text, expected) => {
    const found = problems(text);
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  it('accepts the documented example', () => {
    const text = readFileSync(path.join(__dirname, '../../config/policy.example.yaml'), 'utf8');
    expect(problems(text)).toEqual([]);
  });
});

describe('effective rules', () => {
  const policy = parsePolicy(
    `default:\n  approvers: { users: [${A}] }\n  expiry: 2h\nactions:\n  reprocess-license:\n    mode: self\n    expiry: 30m\n`,
    'p.yaml',
    ACTIONS,
  );
  it.each([
    ['retry-provisioning', 'default', 'four-eyes', 2 * 3_600_000],
    ['reprocess-license', 'actions.reprocess-license', 'self', 30 * 60_000],
  ])('%s comes from %s', (action, source, mode, expiryMs) => {
    expect(policy.ruleFor(action)).toMatchObject({ source, mode, expiryMs, approvers: { users: [A] } });
  });

  it('the default without a file is four-eyes, admins only, a day', () => {
    expect(defaultPolicy([A]).ruleFor('retry-provisioning')).toMatchObject({
      mode: 'four-eyes',
      expiryMs: DEFAULT_EXPIRY_MS,
      requesters: { users: [A], groups: [] },
      approvers: { users: [A], groups: [] },
    });
  });
});

describe('Authorizer', () => {
  const groups: MembershipChecker = { memberOfAny: async (user, ids) => user === B && ids.includes(G) };
  const policy = parsePolicy(
    `default:\n  requesters: { users: [${A}] }\n  approvers: { users: [${A}], groups: [${G}] }\nscope:\n  channels: ['19:ok@thread.tacv2']\n`,
    'p.yaml',
    ACTIONS,
  );
  const auth = new Authorizer(policy, groups);

  it.each([
    ['a listed approver approving someone else', A, B, true, undefined],
    ['a group member', B, A, true, undefined],
    ['the requester under four-eyes', A, A, false, /four-eyes: you requested this/],
    ['someone unlisted', 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', A, false, /default\.approvers/],
    ['nobody signed in', undefined, A, false, /default\.approvers/],
  ])('approval by %s', async (_name, user, requester, allowed, message) => {
    const d = await auth.canApprove('retry-provisioning', user, requester);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed && message) expect(d.message).toMatch(message);
  });

  it('lets an approver reject their own request under four-eyes, and says "reject" when refusing', async () => {
    expect((await auth.canApprove('retry-provisioning', A, A, 'reject')).allowed).toBe(true);
    const outsider = await auth.canApprove(
      'retry-provisioning',
      'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
      A,
      'reject',
    );
    expect(outsider.allowed).toBe(false);
    if (!outsider.allowed) expect(outsider.message).toMatch(/^You may not reject retry-provisioning/);
  });

  it.each([
    [{ tenantId: 't', teamId: 'x', channelId: '19:ok@thread.tacv2' }, true],
    [{ tenantId: 't', teamId: 'x', channelId: '19:other@thread.tacv2' }, false],
    [{ tenantId: 't', teamId: undefined, channelId: undefined }, false],
  ])('scope %j → %s', (origin, expected) => expect(auth.inScope(origin)).toBe(expected));
});
