import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../../functions/core/subscribers/email-address.ts';

describe('normalizeAddress', () => {
  it.each([
    ['  Ada@Example.ORG ', 'Ada@example.org', 'ada@example.org'],
    ['ada+news@example.org', 'ada+news@example.org', 'ada+news@example.org'],
    ['ada@Bücher.Example', 'ada@xn--bcher-kva.example', 'ada@xn--bcher-kva.example'],
    ['o.connor@sub.example.co.uk', 'o.connor@sub.example.co.uk', 'o.connor@sub.example.co.uk'],
  ])('normalises %j to %s', (input, address, key) => {
    expect(normalizeAddress(input)).toEqual({ ok: true, value: { address, key } });
  });

  it.each([
    ['', /empty/],
    ['ada@example.org\r\nBcc: all@example.org', /line break/],
    ['ada@example.org\nBcc: all@example.org', /line break/],
    ['ada@exa\u0000mple.org', /control character/],
    ['ada@example.org, bob@example.org', /one address/],
    ['ada@example.org;bob@example.org', /one address/],
    ['ada@example.org bob@example.org', /one address/],
    ['ada@bob@example.org', /one address/],
    ['Ada <ada@example.org>', /without a name/],
    ['ada', /name before an @/],
    ['@example.org', /name before an @/],
    ['ada@localhost', /not a valid email/],
    ['ada..lovelace@example.org', /not a valid email/],
    ['"ada lovelace"@example.org', /one address|quoted/],
    ['adä@example.org', /plain ASCII/],
    [`${'a'.repeat(65)}@example.org`, /longer than 64/],
    [`ada@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.org`, /longer than 254/],
  ])('refuses %j', (input, reason) => {
    const result = normalizeAddress(input);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
