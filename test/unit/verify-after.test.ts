import { ConfigError, loadConfig, type Env } from '../../src/infra/config';

const minimal: Env = {
  AAD_APP_CLIENT_ID: 'cccccccc-cccc-cccc-cccc-cccccccccccc',
  AAD_APP_TENANT_ID: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
  AAD_APP_CLIENT_SECRET: 's3cret',
};

function verifyAfter(value: string | undefined): readonly number[] | string[] {
  try {
    return loadConfig({ ...minimal, ...(value === undefined ? {} : { VERIFY_AFTER: value }) }).verifyAfterMs;
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

const BAD = [
  'VERIFY_AFTER must be durations such as 2m,10m,30m (s, m or h), or empty to turn verification off',
];

describe('VERIFY_AFTER', () => {
  it.each<[string, string | undefined, readonly number[] | string[]]>([
    ['unset: 2, 10 and 30 minutes', undefined, [120_000, 600_000, 1_800_000]],
    ['empty: verification off', '', []],
    ['blank: verification off', '  ', []],
    ['seconds, minutes and hours, sorted, repeats dropped', '1h, 90s,2m,90s', [90_000, 120_000, 3_600_000]],
    ['a bare number (no unit)', '120', BAD],
    ['milliseconds', '500ms', BAD],
    ['zero', '0m', BAD],
    ['an empty entry', '2m,,10m', BAD],
    ['a word', 'soon', BAD],
  ])('%s', (_what, value, expected) => {
    expect(verifyAfter(value)).toEqual(expected);
  });
});
