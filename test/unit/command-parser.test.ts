import { defaultRegistry } from '../../src/domain/actions/registry';
import { parseCommand, MAX_COMMAND_LENGTH } from '../../src/features/commands/command-parser';
import { tokenize, tokenizeWords } from '../../src/features/commands/tokenizer';
import { ManualClock } from '../fakes/manual-clock';

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));

describe('tokenize', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"Alice Smith" x', ['Alice Smith', 'x']],
    ["'Alice Smith'", ['Alice Smith']],
    ["O'Brien", ["O'Brien"]],
    ['"Sean O\'Brien"', ["Sean O'Brien"]],
    ['--app="Sales Force"', ['--app=Sales Force']],
    ['""', ['']],
  ])('%s', (line, words) => expect(tokenize(line)).toEqual(words));

  it.each([
    ['--group x', [false, false]],
    ['"--group" x', [true, false]],
    ["a'--b'", [false]],
    ['--app="Sales Force"', [false]],
  ])('marks words that start with a quote as values: %s', (line, quoted) =>
    expect(tokenizeWords(line).map((w) => w.quoted)).toEqual(quoted),
  );

  it('refuses an unclosed quote', () => expect(() => tokenize('"Alice')).toThrow(/not closed/));
});

type Expectation =
  | { kind: 'action'; name: string; positional?: Record<string, string>; flags?: Record<string, string> }
  | { kind: 'error'; message: RegExp; usage?: RegExp; suggestion?: string }
  | { kind: 'help'; topic?: string; unknownTopic?: string }
  | { kind: 'empty' };

const cases: Array<[string, Expectation]> = [
  [
    'retry-provisioning alice@contoso.com',
    { kind: 'action', name: 'retry-provisioning', positional: { user: 'alice@contoso.com' } },
  ],
  [
    'RETRY-Provisioning alice@contoso.com',
    { kind: 'action', name: 'retry-provisioning', positional: { user: 'alice@contoso.com' } },
  ],
  [
    'retry-provisioning "Alice Smith"',
    { kind: 'action', name: 'retry-provisioning', positional: { user: 'Alice Smith' } },
  ],
  [
    'retry-provisioning "-- odd name"',
    { kind: 'action', name: 'retry-provisioning', positional: { user: '-- odd name' } },
  ],
  [
    "reprocess-access-request --user '--alice'",
    { kind: 'action', name: 'reprocess-access-request', flags: { user: '--alice' } },
  ],
  ['reprocess-access-request --user --alice', { kind: 'error', message: /--user needs a value/ }],
  [
    'retry-service-provisioning bob',
    { kind: 'action', name: 'retry-provisioning', positional: { user: 'bob' } },
  ],
  [
    'reprocess-license alice@contoso.com',
    { kind: 'action', name: 'reprocess-license', positional: { user: 'alice@contoso.com' } },
  ],
  ['reprocess-licence alice', { kind: 'action', name: 'reprocess-license', positional: { user: 'alice' } }],
  [
    'retry-cloudpc-policy "Frontline A"',
    { kind: 'action', name: 'retry-cloudpc-policy', positional: { policy: 'Frontline A' } },
  ],
  [
    'reprocess-access-request 3a5f1c6e-8b1f-4ad0-9a2f-0c1e2d3f4a5b',
    {
      kind: 'action',
      name: 'reprocess-access-request',
      positional: { request: '3a5f1c6e-8b1f-4ad0-9a2f-0c1e2d3f4a5b' },
    },
  ],
  [
    'reprocess-access-request --user alice',
    { kind: 'action', name: 'reprocess-access-request', flags: { user: 'alice' } },
  ],
  [
    'reprocess-access-request --USER=alice',
    { kind: 'action', name: 'reprocess-access-request', flags: { user: 'alice' } },
  ],
  [
    'provision-on-demand alice --app Salesforce',
    {
      kind: 'action',
      name: 'provision-on-demand',
      positional: { user: 'alice' },
      flags: { app: 'Salesforce' },
    },
  ],
  [
    'provision-on-demand --app "Sales Force" alice --job j1',
    {
      kind: 'action',
      name: 'provision-on-demand',
      positional: { user: 'alice' },
      flags: { app: 'Sales Force', job: 'j1' },
    },
  ],
  ['', { kind: 'empty' }],
  ['   ', { kind: 'empty' }],
  ['help', { kind: 'help' }],
  ['HELP provision-on-demand', { kind: 'help', topic: 'provision-on-demand' }],
  ['help pod', { kind: 'help', topic: 'provision-on-demand' }],
  ['help frobnicate', { kind: 'help', unknownTopic: 'frobnicate' }],
  ['retry-provisionin alice', { kind: 'error', message: /not a command/, suggestion: 'retry-provisioning' }],
  ['hlep', { kind: 'error', message: /not a command/, suggestion: 'help' }],
  ['frobnicate', { kind: 'error', message: /not a command/ }],
  [
    'retry-provisioning',
    {
      kind: 'error',
      message: /user is missing/,
      usage: /^retry-provisioning \[<user>…\] \[--group <group>\]$/,
    },
  ],
  [
    'retry-provisioning alice bob',
    { kind: 'action', name: 'retry-provisioning', positional: { user: 'alice' } },
  ],
  ['retry-provisioning alice --group Sales', { kind: 'error', message: /not both/ }],
  [
    'retry-cloudpc-policy a b',
    { kind: 'error', message: /"b" is extra/, usage: /retry-cloudpc-policy <policy>/ },
  ],
  ['provision-on-demand alice', { kind: 'error', message: /--app is missing/, usage: /--app <app>/ }],
  ['provision-on-demand alice --app', { kind: 'error', message: /--app needs a value/ }],
  [
    'provision-on-demand alice --ap Sales',
    { kind: 'error', message: /no option --ap\. Did you mean --app\?/ },
  ],
  ['provision-on-demand alice --app a --app b', { kind: 'error', message: /given twice/ }],
  ['reprocess-access-request', { kind: 'error', message: /either a request id or --user/ }],
  ['reprocess-access-request 1 --user alice', { kind: 'error', message: /either a request id or --user/ }],
  ['retry-provisioning "alice', { kind: 'error', message: /not closed/ }],
  ['🔥🔥 retry', { kind: 'error', message: /not a command/ }],
  ['שלום עולם', { kind: 'error', message: /not a command/ }],
  ['x'.repeat(10 * 1024), { kind: 'error', message: /too long/ }],
];

describe('parseCommand', () => {
  it.each(cases)('%s', (text, expected) => {
    const parsed = parseCommand(text, registry);
    expect(parsed.kind).toBe(expected.kind);
    if (parsed.kind === 'action' && expected.kind === 'action') {
      expect(parsed.action.name).toBe(expected.name);
      expect(parsed.args.positional).toEqual(expected.positional ?? {});
      expect(parsed.args.flags).toEqual(expected.flags ?? {});
    }
    if (parsed.kind === 'error' && expected.kind === 'error') {
      expect(parsed.message).toMatch(expected.message);
      if (expected.usage) expect(parsed.usage).toMatch(expected.usage);
      expect(parsed.suggestion).toBe(expected.suggestion);
    }
    if (parsed.kind === 'help' && expected.kind === 'help') {
      expect(parsed.topic?.name).toBe(expected.topic);
      expect(parsed.unknownTopic).toBe(expected.unknownTopic);
    }
  });

  it('accepts exactly the maximum length', () => {
    const text = `retry-provisioning ${'a'.repeat(MAX_COMMAND_LENGTH - 'retry-provisioning '.length)}`;
    expect(parseCommand(text, registry).kind).toBe('action');
  });
});

describe('built-in commands', () => {
  const builtIns = [
    {
      name: 'subscribe',
      aliases: ['sub'],
      summary: 's',
      description: 'd',
      examples: [],
      syntax: {
        positional: [
          { name: 'kinds', placeholder: 'kind', required: true, description: 'k', variadic: true },
        ],
        flags: [],
      },
    },
    {
      name: 'history',
      aliases: [],
      summary: 'h',
      description: 'd',
      examples: [],
      syntax: {
        positional: [],
        flags: [{ name: 'limit', placeholder: 'N', required: false, description: 'n' }],
      },
    },
  ];

  it.each([
    ['subscribe license cloudpc', 'subscribe', { kinds: 'license' }, { kinds: ['license', 'cloudpc'] }, {}],
    ['SUB all', 'subscribe', { kinds: 'all' }, { kinds: ['all'] }, {}],
    ['history --limit 5', 'history', {}, undefined, { limit: '5' }],
  ])('%s', (text, name, positional, lists, flags) => {
    const parsed = parseCommand(text, registry, builtIns);
    expect(parsed.kind).toBe('builtin');
    if (parsed.kind !== 'builtin') return;
    expect(parsed.command.name).toBe(name);
    expect(parsed.args.positional).toEqual(positional);
    expect(parsed.args.lists).toEqual(lists);
    expect(parsed.args.flags).toEqual(flags);
  });

  it('suggests a built-in for a near miss and explains its usage', () => {
    const miss = parseCommand('histroy', registry, builtIns);
    expect(miss).toMatchObject({ kind: 'error', suggestion: 'history' });
    expect(parseCommand('subscribe', registry, builtIns)).toMatchObject({
      kind: 'error',
      usage: 'subscribe <kind>…',
    });
    expect(parseCommand('help history', registry, builtIns)).toMatchObject({
      kind: 'help',
      topic: { name: 'history' },
    });
  });
});

describe('the suggested command keeps the arguments as typed', () => {
  it.each<[string, string | undefined]>([
    ['retry-provisionin alice@contoso.com', 'retry-provisioning alice@contoso.com'],
    ['retry-provisionin "Alice Smith" --group  Sales', 'retry-provisioning "Alice Smith" --group  Sales'],
    ['  Retry-Provisionin alice', 'retry-provisioning alice'],
    ['hlep', 'help'],
    ['frobnicate alice', undefined],
  ])('%s', (text, expected) => {
    const parsed = parseCommand(text, registry);
    expect(parsed.kind === 'error' ? parsed.suggestedCommand : 'not an error').toBe(expected);
  });
});
