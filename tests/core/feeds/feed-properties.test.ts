/**
 * Property: whatever text a post or the site carries (markup, `]]>`, quotes, control characters, lone surrogates,
 * non-characters), RSS and Atom are well-formed XML for a strict parser (libxml2), the JSON Feed is valid JSON, the
 * titles read back exactly as written minus the characters XML cannot carry, and the offline validator reports no
 * errors. fast-check finds the counter-example when one exists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFeeds, stripControlCharacters } from '../../../functions/core/feeds/build-feeds.ts';
import { makePost, makeSite, readXml } from '../../support/feed-fixtures.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../../support/feed-validator.ts';

const NOW = new Date('2030-01-01T00:00:00Z');

const hostilePiece = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<![CDATA[', '</title>', '&amp;', '&#0;', '"}', '\\', '\r\n', '\r'),
  fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000B', '\u001F', '\t', '\n', '\uFFFE', '\uFFFF', '\u0085'),
  fc.constantFrom('\uD800', '\uDFFF', '\uD83D\uDE00'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const hostileText = fc.array(hostilePiece, { maxLength: 12 }).map((pieces) => pieces.join(''));

const errorsOf = (findings: string[]): string[] => findings.filter((finding) => finding.startsWith('error '));

describe('buildFeeds with arbitrary text', () => {
  it('writes well-formed XML and JSON whose titles read back as written', () => {
    fc.assert(
      fc.property(
        fc.record({
          siteTitle: hostileText,
          title: hostileText,
          summary: hostileText,
          html: hostileText,
          tag: hostileText,
          author: hostileText,
        }),
        (text) => {
          // Prepare
          const post = makePost({
            title: text.title,
            summary: text.summary,
            html: text.html,
            tags: [text.tag],
            authors: [{ name: text.author }],
          });
          const site = makeSite({ title: text.siteTitle });

          // Act
          const { rss, atom, json } = buildFeeds([post], site, NOW);

          // Assess
          const expected = { site: stripControlCharacters(text.siteTitle), item: stripControlCharacters(text.title) };
          expect(
            readXml(rss, (q) => ({ site: q('/rss/channel/title')[0] ?? '', item: q('//item/title')[0] ?? '' })),
          ).toEqual(expected);
          expect(
            readXml(atom, (q) => ({ site: q('/a:feed/a:title')[0] ?? '', item: q('//a:entry/a:title')[0] ?? '' })),
          ).toEqual(expected);
          const feed = JSON.parse(json);
          expect({ site: feed.title, item: feed.items[0].title }).toEqual(expected);
          expect(readXml(rss, (q) => q('//item/content:encoded')[0] ?? '')).toBe(stripControlCharacters(text.html));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the offline validator nothing to call an error', () => {
    fc.assert(
      fc.property(fc.tuple(hostileText, hostileText, hostileText), ([title, summary, tag]) => {
        // Prepare
        const post = makePost({ title, summary, tags: [tag] });

        // Act
        const { rss, atom, json } = buildFeeds([post], makeSite({ description: summary }), NOW);

        // Assess
        expect([
          ...errorsOf(validateRss(rss)),
          ...errorsOf(validateAtom(atom)),
          ...errorsOf(validateJsonFeed(json)),
        ]).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
