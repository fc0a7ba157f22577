import { describe, expect, it } from 'vitest';
import { renderWithFunctions } from './render.ts';

/* Hugo's math namespace; ints stay ints, a float makes a float, as Hugo 0.111.3 printed them. */

describe('math functions', () => {
  it.each([
    [
      '{{ div 7 2 }}|{{ div 7 2.0 }}|{{ mod 7 3 }}|{{ add 1 2.5 }}|{{ sub 5 7 }}|{{ mul 2 3.5 }}|{{ add "a" "b" }}',
      '3|3.5|1|3.5|-2|7|ab',
    ],
    [
      '{{ math.Round 2.5 }}|{{ math.Round -2.5 }}|{{ math.Floor 2.7 }}|{{ math.Ceil 2.1 }}|{{ math.Pow 2 10 }}|{{ math.Sqrt 2 }}|{{ math.Log 10 }}|{{ modBool 4 2 }}',
      '3|-3|2|3|1024|1.4142135623730951|2.302585092994046|true',
    ],
    [
      '{{ add 1 2 3 }}|{{ mul 2 3 4 }}|{{ math.Max 1 5 3 }}|{{ math.Min 4 2 }}|{{ math.Mod 7 3 }}|{{ math.Counter }}{{ math.Counter }}',
      '6|24|5|2|1|12',
    ],
    [
      '{{ 3.0 }}|{{ 1e6 }}|{{ 123456.0 }}|{{ 0.00001 }}|{{ div 1.0 3 }}|{{ add 0.1 0.2 }}|{{ div 10 4.0 }}',
      '3|1e&#43;06|123456|1e-05|0.3333333333333333|0.30000000000000004|2.5',
    ],
    [
      '{{ int "42" }}|{{ int 3.9 }}|{{ int "042" }}|{{ int "0x1f" }}|{{ int true }}|{{ float "2.5" }}|{{ printf "%T" (float 3) }}|{{ string 3.5 }}|{{ string 1e21 }}',
      '42|3|34|31|1|2.5|float64|3.5|1000000000000000000000',
    ],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it.each([
    ['{{ add 1 "x" }}', /can't apply the operator/],
    ['{{ div 1 0 }}', /can't divide the value by 0/],
    ['{{ mod 1 0 }}', /divided by zero/],
    ['{{ int "abc" }}', /unable to cast "abc" of type string to int/],
  ])('refuses %s as Hugo does', (source, message) => {
    // Prepare, Act, Assess
    expect(() => renderWithFunctions(source)).toThrow(message);
  });
});
