import { runInNewContext } from 'node:vm';
import { asciiOnly } from '../../scripts/bundle';

/** Programs whose last expression is compared before and after the escape pass. */
const PROGRAMS: Array<[string, string]> = [
  ['an arrow in a line comment', '// stat → expr → atom\n1 + 1'],
  ['a dash in a block comment', '/* absent — if either */ "kept"'],
  ['full-width digits in a regex', '"年０１２".replace(/０/g, "0").replace(/[１-９]/g, "n")'],
  ['a Latin-1 letter in a regex class', '/^[a-zé]+$/.test("café") && !/^[a-z]+$/.test("café")'],
  ['an identity escape of a non-ASCII letter', '/\\é/.test("é")'],
  ['an escaped backslash before a non-ASCII letter', '/\\\\é/.test("\\\\é") && !/\\\\é/.test("é")'],
  ['an astral character in a unicode regex', '/^😀$/u.test("😀") && "😀".match(/./gu).length'],
  ['an astral character in a non-unicode regex', '/^😀$/.test("😀")'],
];

describe('the bundle is written in ASCII, so V8 holds its source one byte per character', () => {
  it.each(PROGRAMS)('%s: same result, ASCII only', (_name, program) => {
    const escaped = asciiOnly(program);
    expect(escaped).not.toMatch(/[\u0080-\uffff]/);
    expect(runInNewContext(escaped)).toEqual(runInNewContext(program));
  });

  it.each([
    ['a line separator', 'a\u2028b'],
    ['a paragraph separator', 'a\u2029b'],
  ])('refuses %s, which ends a comment where an escape would not', (_name, source) => {
    expect(() => asciiOnly(source)).toThrow(/separator/);
  });

  it('leaves ASCII untouched', () => {
    const source = 'const s = "\\u00e9"; // plain\n/[a-z]/.test(s)';
    expect(asciiOnly(source)).toBe(source);
  });
});
