import { systemClock } from '../../src/infra/clock';
import {
  defaultRegistry,
  FAILURE_KINDS,
  failureTitle,
  isFailureKind,
  kindLabel,
  kindNamed,
  REMEDIATIONS,
  remediationFor,
} from '../../src/domain/actions/registry';
import { commandText } from '../../src/domain/failures/failure';

/**
 * The registry is the one list of remediations: each folder's definition must agree with its own action and
 * detector, and every family-wide answer (kinds, labels, aliases, the command for a reported failure) comes
 * from the definitions alone.
 */
describe.each(REMEDIATIONS.map((r) => [r.name, r] as const))('the %s folder', (_name, definition) => {
  it('names its action and its detector consistently', () => {
    expect(definition.action(systemClock).name).toBe(definition.name);
    expect(definition.detector.kind).toBe(definition.kind);
  });

  it('is found by its command word and its family name', () => {
    expect(defaultRegistry(systemClock).find(definition.name)?.name).toBe(definition.name);
    expect(kindNamed(definition.kind)).toBe(definition.kind);
    for (const alias of definition.kindAliases) expect(kindNamed(alias)).toBe(definition.kind);
  });
});

it('lists every family once, with no word naming two of them', () => {
  expect(new Set(FAILURE_KINDS).size).toBe(REMEDIATIONS.length);
  const words = REMEDIATIONS.flatMap((r) => [r.kind, ...r.kindAliases]);
  expect(new Set(words).size).toBe(words.length);
});

it.each([
  ['user-provisioning', { target: 'u1', app: 'sp', job: 'j' }, 'retry-provisioning u1'],
  ['license', { target: 'u1' }, 'reprocess-license u1'],
  ['cloudpc', { target: 'p1' }, 'retry-cloudpc-policy p1'],
  ['access-request', { target: 'r1', job: 'j' }, 'reprocess-access-request r1'],
  ['sync', { target: 'u1', app: 'sp', job: 'j' }, 'provision-on-demand u1 --app sp --job j'],
  ['sync', { target: 'u1' }, 'provision-on-demand u1'],
] as const)('a %s failure reported with %j calls for `%s`', (kind, ids, command) => {
  expect(commandText(remediationFor(kind, ids))).toBe(command);
});

it.each([
  ['license', true, 'Group-based licensing', 'Licence assignment failed for Ann'],
  ['sync', true, 'App provisioning (sync)', 'App provisioning failed: Ann'],
  ['printers', false, 'printers', 'printers failed: Ann'],
])('names the family %s (known: %s) as %s', (kind, known, label, title) => {
  expect(isFailureKind(kind)).toBe(known);
  expect(kindLabel(kind)).toBe(label);
  expect(failureTitle(kind, 'Ann')).toBe(title);
});
