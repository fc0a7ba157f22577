/**
 * Hugo's shortcode grammar, read the way Hugo's page lexer reads it (parser/pageparser): `{{< name … >}}` and
 * `{{% name … %}}`, parameters across any number of lines, named (`key="value"`) or positional, values quoted
 * (`"…"` with backslash escapes), raw (`` `…` ``) or bare, self-closing `{{< name />}}`, closing tags
 * `{{< /name >}}`, and the comment form (`{{<` slash-star … star-slash `>}}`) that prints the shortcode itself.
 * Pure: text in, a tree of calls out.
 */

export interface ShortcodeParams {
  named: Map<string, string>;
  positional: string[];
  /** The named keys and positional indexes whose values were written unquoted (Hugo types `5`, `true`, `2.5`). */
  bare?: Set<string | number>;
}

export interface ShortcodeCall {
  kind: 'call';
  name: string;
  /** `<` renders the output as is; `%` hands the output to Markdown. */
  delimiter: '<' | '%';
  params: ShortcodeParams;
  /** Offsets of the whole call in the source, closing tag included. */
  start: number;
  end: number;
  /** Source between the opening and closing tags, for a paired shortcode. */
  inner?: { start: number; end: number; children: ShortcodeNode[] };
  selfClosing: boolean;
}

/** The comment form, slash-star inside the braces: shown as the shortcode itself. */
export interface ShortcodeComment {
  kind: 'comment';
  text: string;
  start: number;
  end: number;
}

export type ShortcodeNode = ShortcodeCall | ShortcodeComment;

export interface SyntaxProblem {
  offset: number;
  message: string;
  fix: string;
}

interface Tag {
  kind: 'tag';
  closing: boolean;
  name: string;
  delimiter: '<' | '%';
  params: ShortcodeParams;
  selfClosing: boolean;
  start: number;
  end: number;
}

const OPEN = /{{[<%]/g;

/**
 * How deep shortcodes may nest inside one another. Real posts nest two or three; a post nesting thousands deep is
 * refused rather than expanded (each level renders a template, and the expansion recurses).
 */
export const MAX_SHORTCODE_DEPTH = 20;
const NAME = /[A-Za-z0-9_][\w./-]*/y;

/**
 * Finds every shortcode in `source` (skipping the offsets in `skip`, code the caller leaves alone) and pairs
 * opening and closing tags into a tree.
 * @example parseShortcodes('{{< note >}}Hi{{< /note >}}', []).nodes[0].inner // { start: 12, end: 14, children: [] }
 */
export const parseShortcodes = (
  source: string,
  skip: readonly [number, number][] = [],
): { nodes: ShortcodeNode[]; problems: SyntaxProblem[] } => {
  const problems: SyntaxProblem[] = [];
  const items: (Tag | ShortcodeComment)[] = [];
  // Matches come in order: walk the code ranges (sorted) alongside, rather than searching them for each match.
  const ranges = [...skip].sort((a, b) => a[0] - b[0]);
  let range = 0;
  let coveredTo = -1;
  const inCode = (offset: number): boolean => {
    while (range < ranges.length && (ranges[range] as [number, number])[0] <= offset) {
      coveredTo = Math.max(coveredTo, (ranges[range] as [number, number])[1]);
      range++;
    }
    return offset < coveredTo;
  };
  OPEN.lastIndex = 0;
  for (let match = OPEN.exec(source); match; match = OPEN.exec(source)) {
    const start = match.index;
    // The comment form prints the shortcode wherever it stands, code included; real shortcodes in code stay text.
    const comment = readComment(source, start);
    if (comment) {
      items.push(comment);
      OPEN.lastIndex = comment.end;
      continue;
    }
    if (inCode(start)) continue;
    const tag = readTag(source, start);
    if ('message' in tag) {
      problems.push(tag);
      // The broken tag goes from the output too (the post is rejected; no template text is ever published).
      const close = source.slice(start).search(/[>%]\}\}|\n\s*\n/);
      const end = close === -1 ? source.length : start + close + (source[start + close] === '\n' ? 0 : 3);
      items.push({ kind: 'comment', text: '', start, end });
      OPEN.lastIndex = end;
      continue;
    }
    items.push(tag);
    OPEN.lastIndex = tag.end;
  }
  return { nodes: pairTags(source, items, problems), problems };
};

const readComment = (source: string, start: number): ShortcodeComment | undefined => {
  const delimiter = source[start + 2];
  if (source[start + 3] !== '/' || source[start + 4] !== '*') return undefined;
  const close = delimiter === '<' ? /\*\/\s*>\}\}/g : /\*\/\s*%\}\}/g;
  close.lastIndex = start + 5;
  const found = close.exec(source);
  if (!found) return undefined;
  const inner = source.slice(start + 5, found.index);
  return {
    kind: 'comment',
    text: `{{${delimiter}${inner}${delimiter === '<' ? '>' : '%'}}}`,
    start,
    end: found.index + found[0].length,
  };
};

const isSpace = (char: string | undefined): boolean => char !== undefined && /\s/.test(char);

/** Reads one tag starting at `{{<` or `{{%`; a problem when it is not a tag Hugo would accept. */
const readTag = (source: string, start: number): Tag | SyntaxProblem => {
  const delimiter = source[start + 2] === '<' ? '<' : '%';
  const closer = delimiter === '<' ? '>}}' : '%}}';
  const otherCloser = delimiter === '<' ? '%}}' : '>}}';
  let at = start + 3;
  const skipSpace = () => {
    while (isSpace(source[at])) at++;
  };
  const unclosed = (): SyntaxProblem => ({
    offset: start,
    message: `The shortcode that starts here (${preview(source, start)}) is never closed with ${closer}.`,
    fix: `End the shortcode with ${closer}; its parameters may span several lines.`,
  });
  skipSpace();
  const closing = source[at] === '/';
  if (closing) {
    at++;
    skipSpace();
  }
  NAME.lastIndex = at;
  const name = NAME.exec(source)?.[0];
  if (!name) {
    return {
      offset: start,
      message: `The shortcode ${preview(source, start)} has no name.`,
      fix: `Write the name first, as in {{${delimiter} figure src="photo.jpg" ${closer}. To show the braces as text, write {{${delimiter}/* … */${closer}.`,
    };
  }
  at += name.length;
  const params: ShortcodeParams = { named: new Map(), positional: [], bare: new Set() };
  let selfClosing = false;
  while (true) {
    skipSpace();
    if (at >= source.length || source.startsWith('{{<', at) || source.startsWith('{{%', at)) return unclosed();
    if (source.startsWith(closer, at)) {
      at += 3;
      break;
    }
    if (source.startsWith(otherCloser, at)) {
      return {
        offset: start,
        message: `The shortcode ${preview(source, start)} opens with {{${delimiter} but closes with ${otherCloser}.`,
        fix: `Close it with ${closer}, matching how it opens.`,
      };
    }
    if (source[at] === '/') {
      let after = at + 1;
      while (isSpace(source[after])) after++;
      if (source.startsWith(closer, after)) {
        selfClosing = true;
        at = after + 3;
        break;
      }
    }
    const param = readParam(source, at, closer);
    if ('message' in param) return { ...param, offset: start };
    const key = param.key === undefined ? params.positional.length : param.key.toLowerCase();
    if (typeof key === 'number') params.positional.push(param.value);
    else params.named.set(key, param.value);
    if (param.bare) params.bare?.add(key);
    else params.bare?.delete(key);
    at = param.end;
  }
  return { kind: 'tag', closing, name, delimiter, params, selfClosing, start, end: at };
};

const KEY = /([A-Za-z_][\w-]*)\s*=\s*/y;

/** One parameter: `key=value` or a positional value; quoted, raw (backquoted) or bare. */
const readParam = (
  source: string,
  at: number,
  closer: string,
): { key?: string; value: string; end: number; bare?: true } | Omit<SyntaxProblem, 'offset'> => {
  KEY.lastIndex = at;
  const key = KEY.exec(source);
  let position = key ? at + key[0].length : at;
  const quote = source[position];
  if (quote === '"' || quote === '`' || quote === "'") {
    let value = '';
    position++;
    while (position < source.length && source[position] !== quote) {
      if (quote === '"' && source[position] === '\\' && position + 1 < source.length) position++;
      value += source[position];
      position++;
    }
    if (position >= source.length) {
      return {
        message: `A quoted value in the shortcode is never closed with ${quote}.`,
        fix: `Close the value with ${quote}; write \\" for a quote inside a "…" value, or use \`…\`.`,
      };
    }
    return { ...(key?.[1] ? { key: key[1] } : {}), value, end: position + 1 };
  }
  const start = position;
  while (
    position < source.length &&
    !isSpace(source[position]) &&
    !source.startsWith(closer, position) &&
    // `x/>}}` closes the call (Hugo itself refuses it); in `x/ >}}` the slash is the value's, as Hugo reads it.
    !(source[position] === '/' && source.startsWith(closer, position + 1))
  ) {
    position++;
  }
  if (position === start || source[start] === '=') {
    return {
      message: `The parameters of the shortcode cannot be read near "${source.slice(start, start + 20).trim()}".`,
      fix: 'Write parameters as key="value", separated by spaces or line breaks.',
    };
  }
  return { ...(key?.[1] ? { key: key[1] } : {}), value: source.slice(start, position), end: position, bare: true };
};

/**
 * Matches closing tags with their openings (innermost first); an opening without a closing stands alone. Two passes,
 * each linear in the number of tags: the first decides which opening each closing closes, the second builds the tree.
 */
const pairTags = (source: string, items: (Tag | ShortcodeComment)[], problems: SyntaxProblem[]): ShortcodeNode[] => {
  // First pass: for each opening, the index of its closing; for each closing, whether it closes anything.
  const closedBy = new Map<number, number>();
  const orphans = new Set<number>();
  const open: number[] = [];
  const openByName = new Map<string, number[]>();
  const popOpen = () => {
    const index = open.pop() as number;
    openByName.get((items[index] as Tag).name)?.pop();
  };
  items.forEach((item, index) => {
    if (item.kind === 'comment') return;
    if (!item.closing) {
      if (item.selfClosing) return;
      open.push(index);
      const list = openByName.get(item.name) ?? [];
      list.push(index);
      openByName.set(item.name, list);
      return;
    }
    const opening = openByName.get(item.name)?.at(-1);
    if (opening === undefined) {
      orphans.add(index);
      return;
    }
    // Shortcodes opened after the matching one and never closed stand alone.
    while (open.at(-1) !== opening) popOpen();
    popOpen();
    closedBy.set(opening, index);
  });

  // Second pass: the tree, with the nesting depth checked as it grows.
  type Frame = { call: ShortcodeCall; children: ShortcodeNode[] };
  const root: ShortcodeNode[] = [];
  const stack: Frame[] = [];
  const childrenOf = (): ShortcodeNode[] => stack.at(-1)?.children ?? root;
  let tooDeep = false;
  items.forEach((item, index) => {
    if (item.kind === 'comment') {
      childrenOf().push(item);
      return;
    }
    if (item.closing) {
      if (orphans.has(index)) {
        problems.push({
          offset: item.start,
          message: `The closing shortcode ${preview(source, item.start)} has no opening {{< ${item.name} >}} before it.`,
          fix: 'Add the opening shortcode, or remove the closing one.',
        });
        childrenOf().push({ kind: 'comment', text: '', start: item.start, end: item.end });
        return;
      }
      const frame = stack.pop();
      if (!frame) return;
      frame.call.inner = { start: frame.call.end, end: item.start, children: frame.children };
      frame.call.end = item.end;
      return;
    }
    const call: ShortcodeCall = {
      kind: 'call',
      name: item.name,
      delimiter: item.delimiter,
      params: item.params,
      start: item.start,
      end: item.end,
      selfClosing: item.selfClosing,
    };
    childrenOf().push(call);
    if (!closedBy.has(index)) return;
    stack.push({ call, children: [] });
    if (stack.length > MAX_SHORTCODE_DEPTH && !tooDeep) {
      tooDeep = true;
      problems.push({
        offset: item.start,
        message: `Shortcodes are nested more than ${MAX_SHORTCODE_DEPTH} deep here (${preview(source, item.start)}), so the post is not expanded.`,
        fix: 'Close each shortcode before opening the next, or nest fewer of them.',
      });
    }
  });
  // A post nested too deep keeps no calls: it is rejected, and nothing of it is expanded.
  return tooDeep ? [] : root;
};

const preview = (source: string, start: number): string => {
  const text = source.slice(start, start + 60).replace(/\s+/g, ' ');
  const end = text.indexOf('}}');
  return end === -1 ? `${text}…` : text.slice(0, end + 2);
};
