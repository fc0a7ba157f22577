import { GoFloat, GoTemplateError, GoTemplateLimitError } from './values.ts';

/**
 * Go's text/template grammar, as its lexer and parser read it: text and `{{ actions }}` with `{{-`/`-}}` trim
 * markers and comments; pipelines of commands joined by `|`; operands that are literals (strings, raw strings,
 * characters, numbers, true/false/nil), the dot and its fields, variables and their fields, functions (a namespace
 * function such as `strings.ToUpper` is one name), and parenthesised pipelines with fields after them; variable
 * declarations and assignments; and the actions if/else if/with/else with/range/break/continue/define/template/
 * block/end, plus Hugo's `return` for partials. A function the template names that does not exist is an error
 * here, before anything runs, as Hugo refuses such a template.
 */

export type Operand =
  | { type: 'literal'; value: unknown }
  | { type: 'dot'; chain: string[] }
  | { type: 'variable'; name: string; chain: string[] }
  | { type: 'function'; name: string; chain: string[] }
  | { type: 'pipe'; pipe: Pipeline; chain: string[] };

export type Command = Operand[];

export type Pipeline = {
  /** Variables declared (`:=`) or assigned (`=`) by the pipeline. */
  decl: string[];
  assign: boolean;
  commands: Command[];
};

export type Node =
  | { type: 'text'; line: number; text: string }
  | { type: 'action'; line: number; pipe: Pipeline }
  | { type: 'if' | 'with'; line: number; pipe: Pipeline; list: Node[]; elseList: Node[] }
  | { type: 'range'; line: number; pipe: Pipeline; list: Node[]; elseList: Node[] }
  | { type: 'template'; line: number; name: string; pipe?: Pipeline }
  | { type: 'break' | 'continue'; line: number }
  | { type: 'return'; line: number; pipe?: Pipeline };

export interface ParsedTemplate {
  root: Node[];
  /** Templates the file defines (`define` and `block`), by name. */
  defines: Map<string, Node[]>;
}

/** How deep actions and parentheses may nest: far beyond any real template, and well within the stack. */
export const MAX_PARSE_DEPTH = 100;

/** What the parser needs to know about functions: which names exist, and which prefixes are namespaces. */
export interface FunctionNames {
  has(name: string): boolean;
  isNamespace(name: string): boolean;
}

type Piece = { text: string; line: number } | { action: string; line: number };

/**
 * Parses a template; throws GoTemplateError naming the line of the first problem.
 * @example parseGoTemplate('{{ if .x }}a{{ end }}', names).root[0].type // 'if'
 */
export const parseGoTemplate = (source: string, functions: FunctionNames): ParsedTemplate => {
  const pieces = splitActions(source);
  const defines = new Map<string, Node[]>();
  let index = 0;
  let depth = 0;

  const fail = (message: string, line: number): never => {
    const error = new GoTemplateError(message);
    error.line = line;
    throw error;
  };

  const parseList = (
    stops: readonly string[],
  ): { nodes: Node[]; stop?: { keyword: string; rest: string; line: number } } => {
    depth++;
    if (depth > MAX_PARSE_DEPTH) {
      const error = new GoTemplateLimitError(`actions are nested more than ${MAX_PARSE_DEPTH} deep`);
      error.line = pieces[index - 1]?.line ?? 1;
      throw error;
    }
    const nodes: Node[] = [];
    try {
      while (index < pieces.length) {
        const piece = pieces[index++] as Piece;
        if ('text' in piece) {
          nodes.push({ type: 'text', line: piece.line, text: piece.text });
          continue;
        }
        const { line } = piece;
        const keyword = /^[a-z]+\b/.exec(piece.action)?.[0] ?? '';
        const rest = piece.action.slice(keyword.length).trim();
        if (stops.includes(keyword)) return { nodes, stop: { keyword, rest, line } };
        switch (keyword) {
          case 'if':
          case 'with':
            nodes.push(parseControl(keyword, rest, line));
            break;
          case 'range':
            nodes.push(parseRange(rest, line));
            break;
          case 'else':
          case 'end':
            fail(`unexpected {{ ${keyword} }}`, line);
            break;
          case 'break':
          case 'continue':
            if (rest !== '') fail(`unexpected "${rest}" in {{ ${keyword} }}`, line);
            nodes.push({ type: keyword, line });
            break;
          case 'return':
            nodes.push(
              rest === '' ? { type: 'return', line } : { type: 'return', line, pipe: parsePipeline(rest, line) },
            );
            break;
          case 'template': {
            const { name, pipe } = parseTemplateCall(rest, line, 'template');
            nodes.push(pipe ? { type: 'template', line, name, pipe } : { type: 'template', line, name });
            break;
          }
          case 'define': {
            if (depth > 1) fail('{{ define }} is only allowed at the top level of a template', line);
            const { name } = parseTemplateCall(rest, line, 'define');
            defines.set(name, parseBlockBody('define', line));
            break;
          }
          case 'block': {
            const { name, pipe } = parseTemplateCall(rest, line, 'block');
            defines.set(name, parseBlockBody('block', line));
            nodes.push(pipe ? { type: 'template', line, name, pipe } : { type: 'template', line, name });
            break;
          }
          default:
            nodes.push({ type: 'action', line, pipe: parsePipeline(piece.action, line) });
        }
      }
      return { nodes };
    } finally {
      depth--;
    }
  };

  const parseBlockBody = (keyword: string, line: number): Node[] => {
    const body = parseList(['end', 'else']);
    if (body.stop?.keyword !== 'end') fail(`{{ ${keyword} }} is never closed with {{ end }}`, line);
    return body.nodes;
  };

  const parseControl = (keyword: 'if' | 'with', header: string, line: number): Node => {
    const pipe = parsePipeline(header, line);
    const body = parseList(['else', 'end']);
    let elseList: Node[] = [];
    if (body.stop?.keyword === 'else') {
      const chained = /^(if|with)\b\s*([\s\S]*)$/.exec(body.stop.rest);
      if (chained?.[1]) {
        // `else if` is an `if` inside the else branch, sharing this one's {{ end }}.
        elseList = [parseControl(chained[1] as 'if' | 'with', chained[2] ?? '', body.stop.line)];
      } else {
        if (body.stop.rest !== '') fail(`unexpected "${body.stop.rest}" in {{ else }}`, body.stop.line);
        const rest = parseList(['end', 'else']);
        if (rest.stop?.keyword !== 'end') fail(`{{ ${keyword} }} is never closed with {{ end }}`, line);
        elseList = rest.nodes;
      }
    } else if (body.stop?.keyword !== 'end') {
      fail(`{{ ${keyword} }} is never closed with {{ end }}`, line);
    } else if (body.stop.rest !== '') {
      fail(`unexpected "${body.stop.rest}" in {{ end }}`, body.stop.line);
    }
    return { type: keyword, line, pipe, list: body.nodes, elseList };
  };

  const parseRange = (header: string, line: number): Node => {
    const pipe = parsePipeline(header, line, true);
    const body = parseList(['else', 'end']);
    let elseList: Node[] = [];
    if (body.stop?.keyword === 'else') {
      if (body.stop.rest !== '') fail(`unexpected "${body.stop.rest}" in {{ else }} of {{ range }}`, body.stop.line);
      const rest = parseList(['end', 'else']);
      if (rest.stop?.keyword !== 'end') fail('{{ range }} is never closed with {{ end }}', line);
      elseList = rest.nodes;
    } else if (body.stop?.keyword !== 'end') {
      fail('{{ range }} is never closed with {{ end }}', line);
    }
    return { type: 'range', line, pipe, list: body.nodes, elseList };
  };

  const parseTemplateCall = (rest: string, line: number, keyword: string): { name: string; pipe?: Pipeline } => {
    const quoted = /^("(?:[^"\\]|\\.)*"|`[^`]*`)\s*([\s\S]*)$/.exec(rest);
    if (!quoted?.[1]) return fail(`{{ ${keyword} }} needs a template name in quotes`, line);
    const name = readString(quoted[1], line);
    const tail = quoted[2] ?? '';
    if (keyword === 'define') {
      if (tail !== '') fail(`unexpected "${tail}" in {{ define }}`, line);
      return { name };
    }
    return tail === '' ? { name } : { name, pipe: parsePipeline(tail, line) };
  };

  const parsePipeline = (source: string, line: number, allowTwoVariables = false): Pipeline =>
    new PipelineParser(source, line, functions, fail).parse(allowTwoVariables);

  const result = parseList([]);
  if (result.stop) fail(`unexpected {{ ${result.stop.keyword} }}`, result.stop.line);
  return { root: result.nodes, defines };
};

// ---------------------------------------------------------------- splitting text and actions

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\t' || char === '\n' || char === '\r';

/** The text and the actions of a template, trim markers applied and comments dropped. */
const splitActions = (source: string): Piece[] => {
  const pieces: Piece[] = [];
  let at = 0;
  let line = 1;
  const lineAt = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (source.charCodeAt(i) === 10) line++;
  };
  let pendingTrim = false;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    let text = source.slice(at, open === -1 ? source.length : open);
    const textLine = line;
    if (pendingTrim) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      if (text !== '') pieces.push({ text, line: textLine });
      break;
    }
    lineAt(at, open);
    let inner = open + 2;
    if (source[inner] === '-' && isSpace(source[inner + 1])) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 1;
    }
    if (text !== '') pieces.push({ text, line: textLine });
    const actionLine = line;
    const close = findActionEnd(source, inner);
    if (close === -1) {
      const error = new GoTemplateError('"{{" is never closed with "}}"');
      error.line = actionLine;
      throw error;
    }
    let body = source.slice(inner, close);
    pendingTrim = false;
    if (body.endsWith('-') && isSpace(body.at(-2))) {
      body = body.slice(0, -1);
      pendingTrim = true;
    }
    lineAt(open, close + 2);
    const trimmed = body.trim();
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) {
        const error = new GoTemplateError('a comment must end with "*/" right before "}}"');
        error.line = actionLine;
        throw error;
      }
    } else if (trimmed === '') {
      const error = new GoTemplateError('missing value for command');
      error.line = actionLine;
      throw error;
    } else {
      pieces.push({ action: trimmed, line: actionLine });
    }
    at = close + 2;
  }
  return pieces;
};

/** The `}}` that ends an action, skipping strings, characters and comments. */
const findActionEnd = (source: string, from: number): number => {
  let at = from;
  while (at < source.length) {
    const char = source[at];
    if (char === '"' || char === '`' || char === "'") {
      const end = findQuoteEnd(source, at);
      if (end === -1) return -1;
      at = end + 1;
      continue;
    }
    if (char === '/' && source[at + 1] === '*') {
      const end = source.indexOf('*/', at + 2);
      if (end === -1) return -1;
      at = end + 2;
      continue;
    }
    if (char === '}' && source[at + 1] === '}') return at;
    at++;
  }
  return -1;
};

const findQuoteEnd = (source: string, start: number): number => {
  const quote = source[start];
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at];
    if (quote !== '`' && char === '\\') {
      at++;
      continue;
    }
    if (char === quote) return at;
    if (quote !== '`' && char === '\n') return -1;
  }
  return -1;
};

// ---------------------------------------------------------------- literals

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** A Go string or character literal's value, escapes read as Go reads them. */
const unescapeGo = (body: string, line: number): string =>
  body.replace(
    /\\(?:([abfnrtv\\'"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|([\s\S]))/g,
    (
      _all,
      simple: string | undefined,
      hex: string | undefined,
      short: string | undefined,
      long: string | undefined,
      octal: string | undefined,
      other: string | undefined,
    ) => {
      if (simple !== undefined) return ESCAPES[simple] ?? simple;
      if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
      if (short !== undefined) return String.fromCodePoint(Number.parseInt(short, 16));
      if (long !== undefined) {
        const code = Number.parseInt(long, 16);
        if (code > 0x10ffff) throw Object.assign(new GoTemplateError(`invalid escape \\U${long}`), { line });
        return String.fromCodePoint(code);
      }
      if (octal !== undefined) return String.fromCharCode(Number.parseInt(octal, 8));
      throw Object.assign(new GoTemplateError(`unknown escape sequence \\${other}`), { line });
    },
  );

const readString = (quoted: string, line: number): string =>
  quoted.startsWith('`') ? quoted.slice(1, -1).replace(/\r/g, '') : unescapeGo(quoted.slice(1, -1), line);

/** A Go number literal: an int unless it is written as a float (`2.0`, `1e3`), as text/template reads it. */
const readNumber = (literal: string, line: number): number | GoFloat => {
  const clean = literal.replace(/_/g, '');
  const negative = clean.startsWith('-');
  const unsigned = clean.replace(/^[+-]/, '');
  let value: number;
  let isFloatLiteral = false;
  if (/^0[xX][0-9a-fA-F]+$/.test(unsigned)) value = Number.parseInt(unsigned.slice(2), 16);
  else if (/^0[bB][01]+$/.test(unsigned)) value = Number.parseInt(unsigned.slice(2), 2);
  else if (/^0[oO]?[0-7]+$/.test(unsigned) && unsigned.length > 1)
    value = Number.parseInt(unsigned.replace(/^0[oO]?/, ''), 8);
  else if (/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(unsigned)) {
    value = Number(unsigned);
    isFloatLiteral = /[.eE]/.test(unsigned);
  } else {
    throw Object.assign(new GoTemplateError(`bad number syntax: "${literal}"`), { line });
  }
  const signed = negative ? -value : value;
  return isFloatLiteral && Number.isInteger(signed) ? new GoFloat(signed) : signed;
};

// ---------------------------------------------------------------- pipelines

const TOKEN =
  /\s*(?:("(?:[^"\\\n]|\\.)*"|`[^`]*`)|('(?:[^'\\\n]|\\(?:[^xuU]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}))')|([+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?))|(\|)|(\()|(\))|(,)|(:=|=)|(\$\w*)|(\.\w*)|([A-Za-z_]\w*))/y;

const FIELD = /\.([A-Za-z_]\w*)/y;

class PipelineParser {
  private at = 0;
  private parens = 0;

  constructor(
    private readonly source: string,
    private readonly line: number,
    private readonly functions: FunctionNames,
    private readonly fail: (message: string, line: number) => never,
  ) {}

  parse(allowTwoVariables: boolean): Pipeline {
    const pipe: Pipeline = { decl: [], assign: false, commands: [] };
    const declaration = allowTwoVariables
      ? /^\s*(\$\w*)\s*(?:,\s*(\$\w*)\s*)?(:=|=)(?!=)/.exec(this.source)
      : /^\s*(\$\w*)\s*(:=|=)(?!=)/.exec(this.source);
    if (declaration) {
      const names = allowTwoVariables ? [declaration[1], declaration[2]] : [declaration[1]];
      pipe.decl = names.filter((name): name is string => name !== undefined);
      pipe.assign = declaration[allowTwoVariables ? 3 : 2] === '=';
      this.at = declaration[0].length;
    }
    pipe.commands = this.commands(false);
    return pipe;
  }

  private error(message: string): never {
    return this.fail(
      `${message} in {{ ${this.source.length > 80 ? `${this.source.slice(0, 77)}…` : this.source} }}`,
      this.line,
    );
  }

  private commands(closing: boolean): Command[] {
    const commands: Command[] = [[]];
    while (true) {
      TOKEN.lastIndex = this.at;
      const match = TOKEN.exec(this.source);
      if (!match) {
        if (this.source.slice(this.at).trim() !== '') this.error(`cannot read "${this.source.slice(this.at).trim()}"`);
        break;
      }
      this.at = TOKEN.lastIndex;
      const [, string, char, number, pipe, open, close, comma, declare, variable, field, word] = match;
      const current = commands.at(-1) as Command;
      if (string !== undefined) current.push({ type: 'literal', value: readString(string, this.line) });
      else if (char !== undefined) {
        const value = unescapeGo(char.slice(1, -1), this.line);
        current.push({ type: 'literal', value: value.codePointAt(0) ?? 0 });
      } else if (number !== undefined) {
        current.push({ type: 'literal', value: readNumber(number, this.line) });
      } else if (pipe) {
        if (current.length === 0) this.error('missing command before "|"');
        commands.push([]);
      } else if (open) {
        this.parens++;
        if (this.parens > MAX_PARSE_DEPTH) {
          throw Object.assign(new GoTemplateLimitError(`parentheses nested more than ${MAX_PARSE_DEPTH} deep`), {
            line: this.line,
          });
        }
        const inner = this.commands(true);
        this.parens--;
        if (inner.length === 1 && inner[0]?.length === 0) this.error('missing value in "()"');
        current.push({ type: 'pipe', pipe: { decl: [], assign: false, commands: inner }, chain: this.chain() });
      } else if (close) {
        if (!closing) this.error('unexpected ")"');
        return this.finish(commands);
      } else if (comma || declare) {
        this.error(`unexpected "${comma ?? declare}"`);
      } else if (variable !== undefined) {
        current.push({ type: 'variable', name: variable, chain: this.chain() });
      } else if (field !== undefined) {
        const chain = field === '.' ? [] : [field.slice(1)];
        current.push({ type: 'dot', chain: [...chain, ...this.chain()] });
      } else if (word !== undefined) {
        current.push(this.word(word));
      }
    }
    if (closing) this.error('unclosed "("');
    return this.finish(commands);
  }

  private finish(commands: Command[]): Command[] {
    if (commands.at(-1)?.length === 0) {
      if (commands.length > 1) this.error('missing command after "|"');
      this.error('missing value for command');
    }
    return commands;
  }

  /** Fields right after an operand: `.a.b`. */
  private chain(): string[] {
    const chain: string[] = [];
    while (true) {
      FIELD.lastIndex = this.at;
      const match = FIELD.exec(this.source);
      if (!match?.[1]) return chain;
      chain.push(match[1]);
      this.at = FIELD.lastIndex;
    }
  }

  private word(word: string): Operand {
    const chain = this.chain();
    if (chain.length === 0 && (word === 'true' || word === 'false')) return { type: 'literal', value: word === 'true' };
    if (chain.length === 0 && word === 'nil') return { type: 'literal', value: undefined };
    // `strings.ToUpper` is one function here; `site.Title` is the function `site` and its field.
    for (let take = chain.length; take >= 0; take--) {
      const name = [word, ...chain.slice(0, take)].join('.');
      if (this.functions.has(name)) return { type: 'function', name, chain: chain.slice(take) };
    }
    if (this.functions.isNamespace(word) && chain.length > 0) {
      // Hugo finds a namespace's functions when they run: an unknown one fails only if the template reaches it.
      return { type: 'function', name: `${word}.${chain[0]}`, chain: chain.slice(1) };
    }
    return this.fail(`function "${word}" not defined`, this.line);
  }
}
