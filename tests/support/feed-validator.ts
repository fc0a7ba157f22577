/**
 * An offline stand-in for the W3C Feed Validation Service (validator.w3.org/feed), which cannot be reached from here
 * and has no Debian or npm package. It encodes the validator's rules that matter for the feeds this project writes;
 * each rule is a small named check, and each finding starts with its severity and the validator's message name
 * (the class names of the validator's `logging.py`, whose docs live at `/feed/docs/<severity>/<Name>.html`).
 * Rules the W3C validator does not have are marked "own rule" and named after the nearest message.
 *
 * Well-formedness is decided by libxml2 (libxml2-wasm): pure-JavaScript parsers such as fast-xml-parser's
 * XMLValidator and sax accept control characters, `<` inside attributes and undefined entities, which are exactly the
 * mistakes a feed writer makes.
 *
 * A finding reads `<error|warning> <MessageName> <where>: <what>`. No findings means clean.
 */
import { XmlDocument, XmlElement, XmlLibError, type XmlNode } from 'libxml2-wasm';

export interface ValidateOptions {
  /** Where the feed is published; the self link must point there (SelfDoesntMatchLocation). */
  location?: string;
}

type Severity = 'error' | 'warning';

class Findings {
  readonly list: string[] = [];
  add(severity: Severity, name: string, where: string, what: string): void {
    const finding = `${severity} ${name} ${where}: ${what}`;
    // libxml2 can report one fault twice (once per recovery attempt); say it once.
    if (!this.list.includes(finding)) this.list.push(finding);
  }
}

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Shared rules
// ---------------------------------------------------------------------------------------------------------------

/**
 * SAXError ("not well-formed (invalid token)"): C0 control characters other than tab, newline and carriage return,
 * U+FFFE/U+FFFF and lone surrogates are not XML characters. Checked on the raw text so the finding names the line.
 */
const checkXmlCharacters = (xml: string, findings: Findings): void => {
  const lines = xml.split('\n');
  lines.forEach((line, index) => {
    const match =
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's job.
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(
        line,
      );
    if (match)
      findings.add(
        'error',
        'SAXError',
        `line ${index + 1}`,
        `not well-formed (invalid token): character U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at column ${match.index + 1}`,
      );
    // BadCharacters: C1 controls are legal XML but almost always windows-1252 text mislabelled as UTF-8.
    const c1 = /[\u0080-\u009F]/.exec(line);
    if (c1)
      findings.add('warning', 'BadCharacters', `line ${index + 1}`, `C1 control character at column ${c1.index + 1}`);
  });
};

/** SAXError: the document must be well-formed, namespace-well-formed XML (decided by libxml2). */
const parseXml = (xml: string, findings: Findings): XmlDocument | undefined => {
  try {
    const document = XmlDocument.fromString(xml);
    for (const warning of document.warnings)
      findings.add('warning', 'SAXError', `line ${warning.line ?? '?'}`, warning.message.trim());
    return document;
  } catch (error) {
    const details = error instanceof XmlLibError ? error.details : [];
    if (details.length === 0) findings.add('error', 'SAXError', 'document', String(error));
    for (const detail of details)
      findings.add('error', 'SAXError', `line ${detail.line ?? '?'}`, detail.message.trim());
    return undefined;
  }
};

const withDocument = (xml: string, check: (document: XmlDocument, findings: Findings) => void): string[] => {
  const findings = new Findings();
  checkXmlCharacters(xml, findings);
  const document = parseXml(xml, findings);
  if (document) {
    try {
      check(document, findings);
    } finally {
      document.dispose();
    }
  }
  return findings.list;
};

const elements = (node: XmlNode, xpath: string): XmlElement[] =>
  node.find(xpath, NS).filter((found): found is XmlElement => found instanceof XmlElement);

const attribute = (element: XmlElement, name: string): string | undefined => element.attr(name)?.value;

const isAbsoluteUrl = (value: string): boolean => /^https?:\/\/[^/\s]/i.test(value) && URL.canParse(value);

const hasScheme = (value: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(value);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * InvalidRFC2822Date, IncorrectDOW, ProblematicalRFC822Date: RSS dates are RFC 822 date-times with a zone, e.g.
 * `Fri, 25 Oct 2019 08:28:00 GMT` or `+0000`; the day of the week, when given, must match the date.
 */
const checkRfc822 = (value: string, where: string, findings: Findings): void => {
  const match =
    /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}|\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z]|[+-]\d{4})$/.exec(
      value.trim(),
    );
  if (!match) {
    findings.add('error', 'InvalidRFC2822Date', where, `${JSON.stringify(value)} must be an RFC-822 date-time`);
    return;
  }
  const [, dow, day, month, year, hour, minute, second] = match;
  if (year?.length === 2)
    findings.add('warning', 'ProblematicalRFC822Date', where, `${JSON.stringify(value)} has a two-digit year`);
  const fullYear = Number(year?.length === 2 ? `19${year}` : year);
  const monthIndex = MONTHS.indexOf(month ?? '');
  const date = new Date(Date.UTC(fullYear, monthIndex, Number(day)));
  const fieldsHold =
    date.getUTCMonth() === monthIndex &&
    date.getUTCDate() === Number(day) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second ?? 0) < 61;
  if (!fieldsHold) {
    findings.add('error', 'InvalidRFC2822Date', where, `${JSON.stringify(value)} is not a real date and time`);
    return;
  }
  if (dow !== undefined && DAYS[date.getUTCDay()] !== dow)
    findings.add('error', 'IncorrectDOW', where, `${JSON.stringify(value)}: ${day} ${month} ${year} is not a ${dow}`);
};

/** InvalidRFC3339Date: Atom and JSON Feed dates are RFC 3339 date-times with a zone, e.g. `2019-10-25T08:28:00Z`. */
const checkRfc3339 = (value: unknown, where: string, findings: Findings): void => {
  const match =
    typeof value === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/i.exec(value)
      : null;
  const valid =
    match !== null &&
    (() => {
      const [, year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = match;
      const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
      return (
        date.getUTCMonth() === Number(month) - 1 &&
        date.getUTCDate() === Number(day) &&
        Number(hour) < 24 &&
        Number(minute) < 60 &&
        Number(second) < 61 &&
        Number(offsetHours ?? 0) < 24 &&
        Number(offsetMinutes ?? 0) < 60
      );
    })();
  if (!valid)
    findings.add('error', 'InvalidRFC3339Date', where, `${JSON.stringify(value)} must be an RFC-3339 date-time`);
};

/**
 * ContainsRelRef: readers show content away from the site, where relative `href`/`src`/`srcset`/`poster` references
 * resolve against the wrong base (or none). Scans tags with a regular expression, not a full HTML parser.
 */
const checkNoRelativeReferences = (html: string, where: string, findings: Findings): void => {
  for (const tag of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const found of tag[0].matchAll(/\s(href|src|srcset|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi)) {
      const name = (found[1] ?? '').toLowerCase();
      const value = (found[2] ?? found[3] ?? found[4] ?? '').trim();
      const references =
        name === 'srcset' ? value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0] ?? '') : [value];
      for (const reference of references)
        if (reference !== '' && !hasScheme(reference))
          findings.add('warning', 'ContainsRelRef', where, `${name}="${reference}" is a relative URL reference`);
    }
  }
};

const EMAIL = /^[^\s@()<>",;]+@[^\s@()<>",;]+\.[^\s@()<>",;]+$/;

/** InvalidLanguage: a language code such as `en` or `en-GB`. */
const checkLanguage = (value: string, where: string, findings: Findings): void => {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(value))
    findings.add('error', 'InvalidLanguage', where, `${JSON.stringify(value)} is not a language code`);
};

// ---------------------------------------------------------------------------------------------------------------
// RSS 2.0
// ---------------------------------------------------------------------------------------------------------------

/**
 * Checks an RSS 2.0 document for the W3C validator's rules listed below.
 * @example validateRss(buildFeeds(posts, site, now).rss) // []
 */
export const validateRss = (xml: string, options: ValidateOptions = {}): string[] =>
  withDocument(xml, (document, findings) => {
    const root = document.root;
    if (root.name !== 'rss' || attribute(root, 'version') !== '2.0') {
      findings.add('error', 'UndecipherableSpecification', 'root', 'the root element must be <rss version="2.0">');
      return;
    }
    const channels = elements(root, 'channel');
    const channel = channels[0];
    if (!channel) {
      findings.add('error', 'MissingElement', 'rss', 'missing element: channel');
      return;
    }
    checkRssChannel(channel, options, findings);
    elements(channel, 'item').forEach((item, index) => {
      checkRssItem(item, `item ${index + 1}`, findings);
    });
    checkRssUniqueGuids(channel, findings);
  });

const text = (parent: XmlElement, xpath: string): string | undefined => elements(parent, xpath)[0]?.content;

/**
 * MissingElement (title, link, description), DuplicateElement, InvalidFullLink, InvalidRFC2822Date on
 * lastBuildDate/pubDate, InvalidLanguage, InvalidContact on managingEditor/webMaster, DuplicateSemantics
 * (managingEditor and dc:creator), MissingAtomSelfLink, SelfDoesntMatchLocation.
 */
const checkRssChannel = (channel: XmlElement, options: ValidateOptions, findings: Findings): void => {
  for (const name of ['title', 'link', 'description']) {
    const found = elements(channel, name);
    if (found.length === 0) findings.add('error', 'MissingElement', 'channel', `missing channel element: ${name}`);
    if (found.length > 1) findings.add('error', 'DuplicateElement', 'channel', `more than one ${name}`);
  }
  const link = text(channel, 'link');
  if (link !== undefined && !isAbsoluteUrl(link.trim()))
    findings.add('error', 'InvalidFullLink', 'channel/link', `${JSON.stringify(link)} must be a full URL`);
  for (const name of ['lastBuildDate', 'pubDate']) {
    const value = text(channel, name);
    if (value !== undefined) checkRfc822(value, `channel/${name}`, findings);
  }
  const language = text(channel, 'language');
  if (language !== undefined) checkLanguage(language, 'channel/language', findings);
  for (const name of ['managingEditor', 'webMaster']) {
    const value = text(channel, name);
    if (value !== undefined) checkRssContact(value, `channel/${name}`, findings);
  }
  if (elements(channel, 'managingEditor').length > 0 && elements(channel, 'dc:creator').length > 0)
    findings.add('warning', 'DuplicateSemantics', 'channel', 'should not include both managingEditor and dc:creator');
  checkRssSelfLink(channel, options, findings);
};

/** MissingAtomSelfLink, SelfDoesntMatchLocation, DuplicateAtomLink, and (own rule) the self link's media type. */
const checkRssSelfLink = (channel: XmlElement, options: ValidateOptions, findings: Findings): void => {
  const selfLinks = elements(channel, 'atom:link').filter((link) => attribute(link, 'rel') === 'self');
  const self = selfLinks[0];
  if (!self) {
    findings.add('warning', 'MissingAtomSelfLink', 'channel', 'missing atom:link with rel="self"');
    return;
  }
  if (selfLinks.length > 1) findings.add('error', 'DuplicateAtomLink', 'channel', 'more than one atom:link rel="self"');
  const href = attribute(self, 'href') ?? '';
  if (!isAbsoluteUrl(href))
    findings.add('error', 'InvalidFullLink', 'channel/atom:link', `href ${JSON.stringify(href)} must be a full URL`);
  if (options.location !== undefined && href !== options.location)
    findings.add('warning', 'SelfDoesntMatchLocation', 'channel/atom:link', `${href} is not ${options.location}`);
  // Own rule (nearest: UnexpectedContentType): the self link of an RSS feed is typed application/rss+xml.
  if (attribute(self, 'type') !== 'application/rss+xml')
    findings.add('warning', 'UnexpectedContentType', 'channel/atom:link', 'type should be application/rss+xml');
};

/** InvalidContact: RSS contacts are email addresses, optionally followed by a name in parentheses. */
const checkRssContact = (value: string, where: string, findings: Findings): void => {
  const match = /^\s*([^\s(]+)(?:\s+\(([^)]*)\))?\s*$/.exec(value);
  if (!match || !EMAIL.test(match[1] ?? ''))
    findings.add('error', 'InvalidContact', where, `${JSON.stringify(value)} must be an email address`);
};

/**
 * ItemMustContainTitleOrDescription, MissingGuid, InvalidPermalink, InvalidBooleanAttribute, InvalidFullLink,
 * InvalidRFC2822Date, InvalidContact (author), DuplicateItemSemantics (author with dc:creator), NotBlank (category),
 * ContainsRelRef (description and content:encoded).
 */
const checkRssItem = (item: XmlElement, where: string, findings: Findings): void => {
  if (elements(item, 'title').length === 0 && elements(item, 'description').length === 0)
    findings.add('error', 'ItemMustContainTitleOrDescription', where, 'item must contain either title or description');
  for (const name of ['title', 'link', 'description', 'guid', 'pubDate', 'author', 'content:encoded'])
    if (elements(item, name).length > 1) findings.add('error', 'DuplicateElement', where, `more than one ${name}`);
  const link = text(item, 'link');
  if (link !== undefined && !isAbsoluteUrl(link.trim()))
    findings.add('error', 'InvalidFullLink', `${where}/link`, `${JSON.stringify(link)} must be a full URL`);
  checkRssGuid(item, where, findings);
  const pubDate = text(item, 'pubDate');
  if (pubDate !== undefined) checkRfc822(pubDate, `${where}/pubDate`, findings);
  const author = text(item, 'author');
  if (author !== undefined) checkRssContact(author, `${where}/author`, findings);
  if (author !== undefined && elements(item, 'dc:creator').length > 0)
    findings.add('warning', 'DuplicateItemSemantics', where, 'should not include both author and dc:creator');
  if (elements(item, 'pubDate').length > 0 && elements(item, 'dc:date').length > 0)
    findings.add('warning', 'DuplicateItemSemantics', where, 'should not include both pubDate and dc:date');
  for (const category of elements(item, 'category'))
    if (category.content.trim() === '') findings.add('warning', 'NotBlank', `${where}/category`, 'should not be blank');
  for (const name of ['description', 'content:encoded']) {
    const html = text(item, name);
    if (html !== undefined) checkNoRelativeReferences(html, `${where}/${name}`, findings);
    if (html !== undefined) checkHtmlSafety(html, `${where}/${name}`, findings);
  }
  const title = text(item, 'title');
  if (title !== undefined && MARKUP.test(title))
    findings.add('warning', 'ContainsHTML', `${where}/title`, 'title should not contain HTML');
};

/** An element or a comment: what the validator takes for HTML in a field meant as text. */
const MARKUP = /<(?:[a-z][\w-]*[\s/>]|\/[a-z][\w-]*\s*>|!--)/i;

/**
 * The validator's checks of escaped HTML (its `htmlEater`): a script element or event handler is a SecurityRisk,
 * as is an iframe, object or embed; markup in it that is not HTML at all is NotHtml.
 */
const checkHtmlSafety = (html: string, where: string, findings: Findings): void => {
  if (/<script[\s>]/i.test(html) || /<[a-z][^>]*\son[a-z]+\s*=/i.test(html))
    findings.add('warning', 'SecurityRisk', where, 'contains a script or an event handler');
  if (/<(?:iframe|object|embed)[\s>]/i.test(html))
    findings.add('warning', 'SecurityRisk', where, 'contains an iframe, object or embed');
  if (/<(?:\?xml|!DOCTYPE|html[\s>])/i.test(html)) findings.add('error', 'NotHtml', where, 'is a document, not HTML');
};

/** MissingGuid; InvalidPermalink: a guid is a permalink unless isPermaLink="false", so it must then be a full URL. */
const checkRssGuid = (item: XmlElement, where: string, findings: Findings): void => {
  const guid = elements(item, 'guid')[0];
  if (!guid) {
    findings.add('warning', 'MissingGuid', where, 'item should contain a guid element');
    return;
  }
  const isPermaLink = attribute(guid, 'isPermaLink');
  if (isPermaLink !== undefined && isPermaLink !== 'true' && isPermaLink !== 'false')
    findings.add('error', 'InvalidBooleanAttribute', `${where}/guid`, 'isPermaLink must be "true" or "false"');
  if (guid.content.trim() === '') findings.add('warning', 'NotBlank', `${where}/guid`, 'guid should not be blank');
  else if (isPermaLink !== 'false' && !isAbsoluteUrl(guid.content.trim()))
    findings.add(
      'error',
      'InvalidPermalink',
      `${where}/guid`,
      `${JSON.stringify(guid.content)} must be a full URL, unless isPermaLink attribute is false`,
    );
};

/** Own rule (nearest: DuplicateEntries): two items with one guid look like one item to every reader. */
const checkRssUniqueGuids = (channel: XmlElement, findings: Findings): void => {
  const seen = new Set<string>();
  for (const guid of elements(channel, 'item/guid')) {
    if (seen.has(guid.content)) findings.add('warning', 'DuplicateEntries', 'channel', `guid ${guid.content} repeats`);
    seen.add(guid.content);
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Atom 1.0
// ---------------------------------------------------------------------------------------------------------------

/**
 * Checks an Atom 1.0 document (RFC 4287) for the W3C validator's rules listed below.
 * @example validateAtom(buildFeeds(posts, site, now).atom) // []
 */
export const validateAtom = (xml: string, options: ValidateOptions = {}): string[] =>
  withDocument(xml, (document, findings) => {
    const feed = document.root;
    if (feed.name !== 'feed' || feed.namespaceUri !== NS.atom) {
      findings.add('error', 'InvalidNamespace', 'root', `the root element must be {${NS.atom}}feed`);
      return;
    }
    checkAtomRequired(feed, 'feed', findings);
    checkAtomLinks(feed, 'feed', findings);
    checkAtomSelfLink(feed, options, findings);
    const feedHasAuthor = elements(feed, 'atom:author').length > 0;
    elements(feed, 'atom:author').forEach((author) => {
      checkAtomPerson(author, 'feed/author', findings);
    });
    const ids = new Map<string, number>();
    elements(feed, 'atom:entry').forEach((entry, index) => {
      const where = `entry ${index + 1}`;
      checkAtomRequired(entry, where, findings);
      checkAtomLinks(entry, where, findings);
      checkAtomEntry(entry, where, feedHasAuthor, findings);
      const id = text(entry, 'atom:id')?.trim();
      if (id !== undefined) {
        const first = ids.get(id);
        // DuplicateEntries (stricter than the validator, which also compares updated): one id, one entry.
        if (first !== undefined)
          findings.add('warning', 'DuplicateEntries', where, `id ${id} repeats the id of entry ${first}`);
        else ids.set(id, index + 1);
      }
    });
  });

/**
 * MissingElement / DuplicateElement for id, title and updated; InvalidIRI, InvalidTAG, InvalidURN for ids;
 * InvalidRFC3339Date for updated and published; InvalidTextType for text constructs.
 */
const checkAtomRequired = (parent: XmlElement, where: string, findings: Findings): void => {
  for (const name of ['id', 'title', 'updated']) {
    const found = elements(parent, `atom:${name}`);
    if (found.length === 0) findings.add('error', 'MissingElement', where, `missing ${parent.name} element: ${name}`);
    if (found.length > 1) findings.add('error', 'DuplicateElement', where, `more than one ${name}`);
  }
  const id = text(parent, 'atom:id');
  if (id !== undefined) checkAtomId(id.trim(), `${where}/id`, findings);
  for (const name of ['updated', 'published']) {
    const value = text(parent, `atom:${name}`);
    if (value !== undefined) checkRfc3339(value.trim(), `${where}/${name}`, findings);
  }
  for (const name of ['title', 'subtitle', 'summary', 'rights']) {
    for (const construct of elements(parent, `atom:${name}`)) {
      const type = attribute(construct, 'type') ?? 'text';
      if (!['text', 'html', 'xhtml'].includes(type))
        findings.add('error', 'InvalidTextType', `${where}/${name}`, `type must be text, html or xhtml, not ${type}`);
      if (type === 'html') checkNoRelativeReferences(construct.content, `${where}/${name}`, findings);
    }
  }
};

/** Atom ids are IRIs and never relative: tag: (RFC 4151), urn:, or an http(s) URL are what readers handle. */
const checkAtomId = (id: string, where: string, findings: Findings): void => {
  if (id.startsWith('tag:')) {
    if (!/^tag:([a-z0-9.-]+|[^@\s]+@[a-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[^\s]*$/i.test(id))
      findings.add('error', 'InvalidTAG', where, `${JSON.stringify(id)} is not a valid tag: URI (RFC 4151)`);
  } else if (/^urn:/i.test(id)) {
    if (!/^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(id))
      findings.add('error', 'InvalidURN', where, `${JSON.stringify(id)} is not a valid URN`);
  } else if (/^https?:/i.test(id)) {
    if (!isAbsoluteUrl(id)) findings.add('error', 'InvalidFullLink', where, `${JSON.stringify(id)} is not a full URL`);
  } else if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(id)) {
    findings.add('error', 'InvalidIRI', where, `${JSON.stringify(id)} is not an absolute IRI`);
  }
};

/** MissingHref, InvalidFullLink (own strictness: we use no xml:base, so every href is absolute), DuplicateAtomLink. */
const checkAtomLinks = (parent: XmlElement, where: string, findings: Findings): void => {
  const seen = new Set<string>();
  for (const link of elements(parent, 'atom:link')) {
    const href = attribute(link, 'href');
    if (href === undefined) findings.add('error', 'MissingHref', `${where}/link`, 'link must have an href');
    else if (!isAbsoluteUrl(href))
      findings.add('error', 'InvalidFullLink', `${where}/link`, `href ${JSON.stringify(href)} must be a full URL`);
    const key = `${attribute(link, 'rel') ?? 'alternate'} ${attribute(link, 'type') ?? ''} ${attribute(link, 'hreflang') ?? ''}`;
    if (seen.has(key))
      findings.add('error', 'DuplicateAtomLink', `${where}/link`, `more than one link with rel/type/hreflang ${key}`);
    seen.add(key);
  }
};

/** MissingSelf, SelfDoesntMatchLocation, and (own rules) a rel=alternate link to the site and the self link's type. */
const checkAtomSelfLink = (feed: XmlElement, options: ValidateOptions, findings: Findings): void => {
  const links = elements(feed, 'atom:link');
  const self = links.find((link) => attribute(link, 'rel') === 'self');
  if (!self) findings.add('warning', 'MissingSelf', 'feed', 'missing atom:link with rel="self"');
  else {
    const href = attribute(self, 'href') ?? '';
    if (options.location !== undefined && href !== options.location)
      findings.add('warning', 'SelfDoesntMatchLocation', 'feed/link', `${href} is not ${options.location}`);
    const type = attribute(self, 'type');
    if (type !== undefined && type !== 'application/atom+xml')
      findings.add(
        'warning',
        'UnexpectedContentType',
        'feed/link',
        'the self link type should be application/atom+xml',
      );
  }
  if (!links.some((link) => (attribute(link, 'rel') ?? 'alternate') === 'alternate'))
    findings.add('warning', 'MissingAlternateLink', 'feed', 'no rel="alternate" link to the site');
};

/**
 * MissingElement (author: on the feed or on every entry), MissingContentOrAlternate, MissingAlternateLink (own rule:
 * every entry links to its page), own rule ContentNotHtml (we publish content type="html"), ContainsRelRef.
 */
const checkAtomEntry = (entry: XmlElement, where: string, feedHasAuthor: boolean, findings: Findings): void => {
  const authors = elements(entry, 'atom:author');
  if (!feedHasAuthor && authors.length === 0)
    findings.add('error', 'MissingElement', where, 'missing entry element: author (and the feed has none)');
  authors.forEach((author) => {
    checkAtomPerson(author, `${where}/author`, findings);
  });
  const hasAlternate = elements(entry, 'atom:link').some(
    (link) => (attribute(link, 'rel') ?? 'alternate') === 'alternate',
  );
  const contents = elements(entry, 'atom:content');
  if (contents.length === 0 && !hasAlternate)
    findings.add('error', 'MissingContentOrAlternate', where, 'an entry needs content or a rel="alternate" link');
  else if (!hasAlternate) findings.add('warning', 'MissingAlternateLink', where, 'no rel="alternate" link to the post');
  if (contents.length > 1) findings.add('error', 'DuplicateElement', where, 'more than one content');
  for (const content of contents) {
    const type = attribute(content, 'type') ?? 'text';
    if (type !== 'html') findings.add('warning', 'ContentNotHtml', `${where}/content`, `type is ${type}, not html`);
    else {
      checkNoRelativeReferences(content.content, `${where}/content`, findings);
      checkHtmlSafety(content.content, `${where}/content`, findings);
    }
  }
  for (const name of ['atom:title', 'atom:summary']) {
    for (const element of elements(entry, name)) {
      const type = attribute(element, 'type') ?? 'text';
      if (type === 'text' && MARKUP.test(element.content))
        findings.add('warning', 'ContainsUndeclaredHTML', `${where}/${name.slice(5)}`, 'text contains HTML markup');
    }
  }
  for (const category of elements(entry, 'atom:category'))
    if ((attribute(category, 'term') ?? '').trim() === '')
      findings.add('error', 'MissingAttribute', `${where}/category`, 'category must have a term');
};

/** MissingElement (name), InvalidAddrSpec (email), InvalidFullLink (uri). */
const checkAtomPerson = (person: XmlElement, where: string, findings: Findings): void => {
  const names = elements(person, 'atom:name');
  if (names.length !== 1 || (names[0]?.content.trim() ?? '') === '')
    findings.add('error', 'MissingElement', where, 'a person needs exactly one non-empty name');
  const email = text(person, 'atom:email');
  if (email !== undefined && !EMAIL.test(email.trim()))
    findings.add('error', 'InvalidAddrSpec', `${where}/email`, `${JSON.stringify(email)} is not an email address`);
  const uri = text(person, 'atom:uri');
  if (uri !== undefined && !isAbsoluteUrl(uri.trim()))
    findings.add('error', 'InvalidFullLink', `${where}/uri`, `${JSON.stringify(uri)} must be a full URL`);
};

// ---------------------------------------------------------------------------------------------------------------
// JSON Feed 1.1 (the W3C validator does not read JSON Feed; these are the spec's rules, named after the nearest
// validator message)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Checks a JSON Feed 1.1 document (jsonfeed.org/version/1.1).
 * @example validateJsonFeed(buildFeeds(posts, site, now).json) // []
 */
export const validateJsonFeed = (json: string, options: ValidateOptions = {}): string[] => {
  const findings = new Findings();
  let feed: unknown;
  try {
    feed = JSON.parse(json);
  } catch (error) {
    findings.add('error', 'SAXError', 'document', `not JSON: ${String(error)}`);
    return findings.list;
  }
  if (!isRecord(feed)) {
    findings.add('error', 'UndecipherableSpecification', 'document', 'a JSON Feed is an object');
    return findings.list;
  }
  checkJsonTopLevel(feed, options, findings);
  const items = Array.isArray(feed.items) ? feed.items : [];
  const ids = new Map<string, number>();
  items.forEach((item: unknown, index) => {
    const where = `items[${index}]`;
    if (!isRecord(item)) {
      findings.add('error', 'InvalidValue', where, 'an item is an object');
      return;
    }
    checkJsonItem(item, where, findings);
    if (typeof item.id === 'string') {
      const first = ids.get(item.id);
      if (first !== undefined)
        findings.add('error', 'DuplicateEntries', where, `id ${item.id} repeats the id of items[${first}]`);
      else ids.set(item.id, index);
    }
  });
  return findings.list;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Version 1.1, MissingElement (title, items), InvalidFullLink (home_page_url, feed_url, icon, favicon),
 * SelfDoesntMatchLocation (feed_url), InvalidLanguage, authors.
 */
const checkJsonTopLevel = (feed: Record<string, unknown>, options: ValidateOptions, findings: Findings): void => {
  if (feed.version !== 'https://jsonfeed.org/version/1.1')
    findings.add('error', 'ObsoleteVersion', 'version', `${JSON.stringify(feed.version)} is not JSON Feed 1.1`);
  if (typeof feed.title !== 'string') findings.add('error', 'MissingElement', 'feed', 'missing string: title');
  if (!Array.isArray(feed.items)) findings.add('error', 'MissingElement', 'feed', 'missing array: items');
  for (const key of ['home_page_url', 'feed_url', 'icon', 'favicon', 'next_url'])
    checkJsonUrl(feed, key, 'feed', findings);
  if (feed.feed_url === undefined) findings.add('warning', 'MissingSelf', 'feed', 'feed_url should be present');
  else if (options.location !== undefined && feed.feed_url !== options.location)
    findings.add(
      'warning',
      'SelfDoesntMatchLocation',
      'feed_url',
      `${String(feed.feed_url)} is not ${options.location}`,
    );
  if (feed.language !== undefined)
    checkLanguage(typeof feed.language === 'string' ? feed.language : '', 'language', findings);
  checkJsonAuthors(feed, 'feed', findings);
};

/**
 * Item id (a non-empty string), InvalidFullLink (url, external_url, image, banner_image), MissingTextualContent
 * (content_html or content_text), InvalidRFC3339Date, tags (strings), authors, ContainsRelRef (content_html).
 */
const checkJsonItem = (item: Record<string, unknown>, where: string, findings: Findings): void => {
  if (typeof item.id !== 'string' || item.id.trim() === '')
    findings.add('error', 'MissingElement', where, 'id must be a non-empty string');
  for (const key of ['url', 'external_url', 'image', 'banner_image']) checkJsonUrl(item, key, where, findings);
  const hasHtml = typeof item.content_html === 'string';
  if (!hasHtml && typeof item.content_text !== 'string')
    findings.add('error', 'MissingTextualContent', where, 'content_html or content_text is required');
  if (typeof item.content_html === 'string')
    checkNoRelativeReferences(item.content_html, `${where}.content_html`, findings);
  for (const key of ['title', 'summary', 'content_text'])
    if (item[key] !== undefined && typeof item[key] !== 'string')
      findings.add('error', 'InvalidValue', `${where}.${key}`, 'must be a string');
  for (const key of ['date_published', 'date_modified'])
    if (item[key] !== undefined) checkRfc3339(item[key], `${where}.${key}`, findings);
  if (item.tags !== undefined && !(Array.isArray(item.tags) && item.tags.every((tag) => typeof tag === 'string')))
    findings.add('error', 'InvalidValue', `${where}.tags`, 'tags is an array of strings');
  checkJsonAuthors(item, where, findings);
};

const checkJsonUrl = (object: Record<string, unknown>, key: string, where: string, findings: Findings): void => {
  const value = object[key];
  if (value !== undefined && !(typeof value === 'string' && isAbsoluteUrl(value)))
    findings.add('error', 'InvalidFullLink', `${where}.${key}`, `${JSON.stringify(value)} must be a full URL`);
};

/** authors: an array of objects with at least one of name, url, avatar; `author` (1.0) is deprecated. */
const checkJsonAuthors = (object: Record<string, unknown>, where: string, findings: Findings): void => {
  if (object.author !== undefined && object.authors === undefined)
    findings.add('warning', 'ObsoleteVersion', `${where}.author`, 'author is JSON Feed 1.0; use authors');
  if (object.authors === undefined) return;
  if (!Array.isArray(object.authors)) {
    findings.add('error', 'InvalidValue', `${where}.authors`, 'authors is an array');
    return;
  }
  object.authors.forEach((author: unknown, index) => {
    const at = `${where}.authors[${index}]`;
    if (!isRecord(author) || !['name', 'url', 'avatar'].some((key) => typeof author[key] === 'string'))
      findings.add('error', 'MissingElement', at, 'an author has at least one of name, url, avatar');
    else for (const key of ['url', 'avatar']) checkJsonUrl(author, key, at, findings);
  });
};
