import { describe, expect, it } from 'vitest';
import { expandReplacement, goRegExp } from '../../../../../functions/core/posts/templating/go/regexp.ts';

/* Go's RE2 syntax read as JavaScript's, and refused where RE2 refuses or where backtracking could run away. */

describe('goRegExp', () => {
  it.each([
    ['(?i)AB', 'ab Ab', ['ab', 'Ab']],
    ['[[:digit:]]+', 'x12y3', ['12', '3']],
    ['\\Qa.b\\E', 'a.b axb', ['a.b']],
    ['b\\z', 'ab\nab', ['b']],
    ['\\pL+', 'héllo 12', ['héllo']],
    ['\\#\\-', '#-', ['#-']],
  ])('matches %s in %s as Go does', (pattern, text, expected) => {
    // Prepare, Act
    const found = [...text.matchAll(goRegExp(pattern))].map((match) => match[0]);
    // Assess
    expect(found).toEqual(expected);
  });

  it.each([
    ['(?=a)', /invalid or unsupported Perl syntax/],
    ['(a)\\1', /invalid escape sequence/],
    ['(a', /missing closing \)/],
    ['(a+)+$', /repeats inside itself/],
    ['(x*)*y', /repeats inside itself/],
  ])('refuses %s', (pattern, message) => {
    // Prepare, Act, Assess
    expect(() => goRegExp(pattern)).toThrow(message);
  });
});

describe('expandReplacement', () => {
  it("fills $1, ${name} and $$ as Go's Expand does", () => {
    // Prepare
    const match = /(?<user>\w+)@(\w+)/.exec('me@host') as RegExpExecArray;
    // Act
    const out = expandReplacement('$2 at ${user} ($$)')(match);
    // Assess
    expect(out).toBe('host at me ($)');
  });
});
