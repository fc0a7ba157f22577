import { describe, expect, it } from 'vitest';
import { formatValue, sprint, sprintf } from '../../../../../functions/core/posts/templating/go/format.ts';
import { GoFloat, SafeHtml } from '../../../../../functions/core/posts/templating/go/values.ts';

/*
 * Go's fmt as Hugo 0.111 prints template values; every expected string below was printed by Debian's hugo 0.111.3
 * (a shortcode calling printf with the same arguments).
 */

describe('sprintf', () => {
  it.each([
    ['%v|%v|%v', [[1, 'a', 2.5], { b: 1, a: [1, 2] }, undefined], '[1 a 2.5]|map[a:[1 2] b:1]|<nil>'],
    ['%q|%5d|%-5s|%x|%X', ['a"b\n', 42, 'ab', 'hi', 255], '"a\\"b\\n"|   42|ab   |6869|FF'],
    ['%05.2f|%t|%v|%d', [3.14158, true, new GoFloat(3), 3], '03.14|true|3|3'],
    ['%s|%d', [5, 'x'], '%!s(int=5)|%!d(string=x)'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%d', [1, 2], '1%!(EXTRA int=2)'],
    ['%6.2f|%-8.3f|%+d|% d', [3.14158, 2.5, 5, 5], '  3.14|2.500   |+5| 5'],
    [
      '%e|%g|%g|%v|%v|%v',
      [1234.5678, 0.00001234, new GoFloat(100000000), new GoFloat(1e21), 0.1, new GoFloat(1e6)],
      '1.234568e+03|1.234e-05|1e+08|1e+21|0.1|1e+06',
    ],
    ['%c|%U|%o|%b|%#x|%08.3f|%x', [65, 65, 8, 5, 255, -3.5, -255], 'A|U+0041|10|101|0xff|-003.500|-ff'],
    [
      '%q|%v|%s',
      [
        ['a', 'b'],
        ['a', 'b'],
        ['a', 'b'],
      ],
      '["a" "b"]|[a b]|[a b]',
    ],
    ['%5.1s|%%|%v', ['abc', true], '    a|%|true'],
    ['%t|%s|%d', [1, undefined, undefined], '%!t(int=1)|%!s(<nil>)|%!d(<nil>)'],
    ['%[2]s %[1]s', ['a', 'b'], 'b a'],
    ['%*d', [5, 1], '    1'],
    [
      '%T|%T|%T|%T|%T|%T|%T',
      [1, 1.5, 's', true, [], {}, new SafeHtml('x')],
      'int|float64|string|bool|[]interface {}|map[string]interface {}|template.HTML',
    ],
  ])('formats %s as Go does', (format, args, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const out = sprintf(format, args);
    // Assess
    expect(out).toBe(expected);
  });

  it('refuses a width larger than the text a post may hold, before padding', () => {
    // Prepare, Act, Assess
    expect(() => sprintf('%100000000d', [1], 1000)).toThrow(/too large/);
  });
});

describe('formatValue and sprint', () => {
  it.each([
    [new GoFloat(3), '3'],
    [2.5, '2.5'],
    [new GoFloat(1e6), '1e+06'],
    [new GoFloat(123456), '123456'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [[[1, 2], { a: undefined }], '[[1 2] map[a:<nil>]]'],
    [{}, 'map[]'],
    [new Date('2024-03-05T08:20:30Z'), '2024-03-05 08:20:30 +0000 UTC'],
  ])('prints %o as %s', (value, expected) => {
    // Prepare, Act, Assess
    expect(formatValue(value)).toBe(expected);
  });

  it('puts a space between operands only where neither is a string, as fmt.Sprint does', () => {
    // Prepare, Act, Assess
    expect(sprint([1, 2, 'a', 'b', 3])).toBe('1 2ab3');
  });
});
