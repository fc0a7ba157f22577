import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, normalizeName } from '../../../functions/core/subscribers/subscriber-name.ts';

describe('normalizeName', () => {
  it.each([
    ['Ada Lovelace', 'Ada Lovelace'],
    ['  Ada   Lovelace  ', 'Ada Lovelace'],
    ['Ada\u00a0\u2003Lovelace', 'Ada Lovelace'],
    ['Zoë', 'Zoë'],
    ['Zoe\u0308', 'Zoë'],
    ['O\'Brien, "Ada"', 'O\'Brien, "Ada"'],
    ['李小龍', '李小龍'],
    ['Ada 👩‍💻', 'Ada 👩‍💻'],
    ['@ada', '@ada'],
    ['Ada @ home', 'Ada @ home'],
    ['=1+1', '=1+1'],
    ['x'.repeat(MAX_NAME_LENGTH), 'x'.repeat(MAX_NAME_LENGTH)],
    ['😀'.repeat(MAX_NAME_LENGTH), '😀'.repeat(MAX_NAME_LENGTH)],
  ])('normalises %j to %j', (input, expected) => {
    // Act
    const result = normalizeName(input);

    // Assess
    expect(result).toEqual({ ok: true, value: expected });
  });

  it.each(['', '   ', '\u00a0'])('reads %j as no name', (input) => {
    // Act
    const result = normalizeName(input);

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['Ada\r\nBcc: all@example.org', /line break/],
    ['Ada\nLovelace', /line break/],
    ['Ada\rLovelace', /line break/],
    ['Ada\u2028Lovelace', /line break/],
    ['Ada\u0085Lovelace', /line break/],
    ['Ada\u0000', /control character/],
    ['Ada\tLovelace', /control character/],
    ['Ada\u007f', /control character/],
    ['x'.repeat(MAX_NAME_LENGTH + 1), /longer than 100/],
    ['Ada <ada@example.org>', /< or >/],
    ['<script>', /< or >/],
    ['support@bank.example', /email address/],
    ['Ada (ada@example.org)', /email address/],
  ])('refuses %j', (input, reason) => {
    // Act
    const result = normalizeName(input);

    // Assess
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('gives the same name when applied twice', () => {
    // Prepare
    const once = normalizeName('  Zoe\u0308   Ada  ');

    // Act
    const twice = once.ok && once.value !== undefined ? normalizeName(once.value) : once;

    // Assess
    expect(twice).toEqual(once);
  });
});
