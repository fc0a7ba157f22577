import { describe, expect, it } from 'vitest';
import { renderWithFunctions } from './render.ts';

/* Hugo's compare namespace, cond and default; expected values printed by Hugo 0.111.3. */

describe('compare functions', () => {
  it.each([
    [
      '{{ eq 3 3.0 }}|{{ eq "3" 3 }}|{{ lt 2 10 }}|{{ lt "2" "10" }}|{{ eq 1 2 1 }}|{{ ne nil nil }}|{{ gt 2.5 2 }}|{{ lt "a" 1 }}|{{ lt "B" "a" }}',
      'false|false|true|true|true|false|true|true|true',
    ],
    [
      '{{ eq (slice 1 2) (slice 1 2) }}|{{ eq "a" ("a" | safeHTML) }}|{{ ge 2 2 }}|{{ gt (slice 1 2) (slice 1) }}|{{ eq 0 false }}',
      'true|true|true|true|false',
    ],
    ['{{ cond true "y" "n" }}|{{ cond false "y" "n" }}', 'y|n'],
    [
      '{{ default "d" false }}|{{ default "d" 0 }}|{{ default "d" "" }}|{{ default "d" (slice) }}|{{ default "d" nil }}|{{ default "d" .nope }}|{{ default "d" "x" }}|{{ default "d" 0.0 }}',
      'false|d|d|d|d|d|x|d',
    ],
    ['{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 "" }}|{{ or 0 "x" }}|{{ not 0 }}|{{ not "a" }}', '0|2||x|true|false'],
  ])('%s', (source, expected) => {
    // Prepare, Act
    const { text } = renderWithFunctions(source);
    // Assess
    expect(text).toBe(expected);
  });

  it('refuses a condition that is not a boolean, as Hugo does', () => {
    // Prepare, Act, Assess
    expect(() => renderWithFunctions('{{ cond "" 1 2 }}')).toThrow(/expects a boolean/);
  });
});
