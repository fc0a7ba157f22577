import { describe, expect, it } from 'vitest';
import { unsubscribeUrl } from '../../../functions/core/subscribers/links.ts';
import { verifyToken } from '../../../functions/core/subscribers/tokens.ts';

const tokenKey = new TextEncoder().encode('k'.repeat(64));

describe('unsubscribeUrl', () => {
  it('points at the unsubscribe endpoint under the site, with a token that unsubscribes that key and never expires', () => {
    // Act
    const url = new URL(
      unsubscribeUrl({ site: { baseUrl: 'https://notes.example/blog/' }, tokenKey }, 'ada@example.org'),
    );

    // Assess
    expect(`${url.origin}${url.pathname}`).toBe('https://notes.example/blog/api/unsubscribe');
    expect([...url.searchParams.keys()]).toEqual(['token']);
    const check = verifyToken(tokenKey, url.searchParams.get('token') ?? '', 'unsubscribe', new Date('2099-01-01'));
    expect(check).toEqual({ ok: true, claims: { purpose: 'unsubscribe', key: 'ada@example.org' } });
  });

  it('gives a token no other purpose accepts', () => {
    // Act
    const token = new URL(
      unsubscribeUrl({ site: { baseUrl: 'https://notes.example/' }, tokenKey }, 'ada@example.org'),
    ).searchParams.get('token');

    // Assess
    expect(verifyToken(tokenKey, token ?? '', 'confirm', new Date())).toMatchObject({ ok: false });
  });
});
