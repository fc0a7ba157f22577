/**
 * The part of Go's html/template that a site's own Hugo shortcodes use: `{{ .Get "src" }}`, `{{ .Get 0 }}`,
 * `{{ .Inner }}`, `{{ with … }}`, `{{ if … }}{{ else }}`, `{{ range … }}`, variables, pipelines, `{{- -}}` trim
 * markers and comments, with the common functions (default, safeHTML, markdownify, printf, eq, and, …).
 * Values are HTML-escaped when printed unless they are marked safe, as html/template does. Anything outside
 * this subset is an error naming it, never silent output.
 */

/** HTML that is printed as is (html/template's template.HTML). */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export class GoTemplateError extends Error {}

type Node =
  | { type: 'text'; text: string }
  | { type: 'print'; pipe: Pipeline }
  | { type: 'if' | 'with'; pipe: Pipeline; whenTrue: Node[]; otherwise: Node[] }
  | { type: 'range'; pipe: Pipeline; keyVar?: string; valueVar?: string; body: Node[]; otherwise: Node[] }
  | { type: 'assign'; name: string; pipe: Pipeline; declare: boolean };

type Operand =
  | { type: 'literal'; value: unknown }
  | { type: 'field'; base: 'dot' | string; path: string[] }
  | { type: 'call'; name: string }
  | { type: 'group'; pipe: Pipeline; path: string[] };

type Command = Operand[];
type Pipeline = { decl?: string[]; commands: Command[] };

export type TemplateFunctions = Record<string, (...args: unknown[]) => unknown>;

/**
 * Renders a template against `data` (the dot).
 * @example renderGoTemplate('<b>{{ .Get 0 }}</b>', shortcodeData, {}) // '<b>hello</b>'
 */
export const renderGoTemplate = (source: string, data: unknown, functions: TemplateFunctions): string => {
  const nodes = parseTemplate(source);
  const scope = new Map<string, unknown>([['$', data]]);
  return execute(nodes, data, scope, { ...BUILTINS, ...functions });
};

// ---------------------------------------------------------------- lexing and parsing

type Action = { text: string } | { action: string };

const splitActions = (source: string): Action[] => {
  const parts: Action[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) {
      parts.push({ text: source.slice(at) });
      break;
    }
    let text = source.slice(at, open);
    let inner = open + 2;
    if (source[inner] === '-' && isSpace(source[inner + 1])) {
      text = text.trimEnd();
      inner += 1;
    }
    if (text !== '') parts.push({ text });
    const close = findActionEnd(source, inner);
    if (close === -1) throw new GoTemplateError(`"{{" at offset ${open} is never closed with "}}"`);
    let body = source.slice(inner, close);
    let next = close + 2;
    if (body.endsWith('-') && isSpace(body.at(-2))) {
      body = body.slice(0, -1);
      while (isSpace(source[next])) next++;
    }
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) parts.push({ action: trimmed });
    at = next;
  }
  return parts;
};

const isSpace = (char: string | undefined): boolean => char !== undefined && /\s/.test(char);

/** The `}}` that ends an action, skipping strings and comments. */
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
    if (source.startsWith('/*', at)) {
      const end = source.indexOf('*/', at + 2);
      if (end === -1) return -1;
      at = end + 2;
      continue;
    }
    if (source.startsWith('}}', at)) return at;
    at++;
  }
  return -1;
};

const findQuoteEnd = (source: string, start: number): number => {
  const quote = source[start];
  for (let at = start + 1; at < source.length; at++) {
    if (quote !== '`' && source[at] === '\\') {
      at++;
      continue;
    }
    if (source[at] === quote) return at;
  }
  return -1;
};

const parseTemplate = (source: string): Node[] => {
  const actions = splitActions(source);
  let index = 0;
  const parseList = (stops: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (index < actions.length) {
      const part = actions[index++] as Action;
      if ('text' in part) {
        nodes.push({ type: 'text', text: part.text });
        continue;
      }
      const keyword = part.action.split(/\s+/)[0] ?? '';
      const rest = part.action.slice(keyword.length).trim();
      if (stops.includes(keyword)) {
        index--;
        return { nodes, stop: keyword };
      }
      if (keyword === 'if' || keyword === 'with') {
        nodes.push(parseConditional(keyword, rest));
        continue;
      }
      if (keyword === 'range') {
        nodes.push(parseRange(rest));
        continue;
      }
      if (['define', 'template', 'block', 'partial', 'break', 'continue'].includes(keyword)) {
        throw new GoTemplateError(`the action {{ ${keyword} }} is not supported in shortcode templates`);
      }
      const assignment = /^(\$\w*)\s*(:?=)\s*([\s\S]+)$/.exec(part.action);
      if (assignment?.[1] && assignment[3]) {
        nodes.push({
          type: 'assign',
          name: assignment[1],
          pipe: parsePipeline(assignment[3]),
          declare: assignment[2] === ':=',
        });
        continue;
      }
      nodes.push({ type: 'print', pipe: parsePipeline(part.action) });
    }
    return { nodes, stop: '' };
  };
  const expectEnd = (stop: string, what: string) => {
    if (stop !== 'end') throw new GoTemplateError(`{{ ${what} }} is never closed with {{ end }}`);
    index++;
  };
  const parseConditional = (keyword: 'if' | 'with', condition: string): Node => {
    const then = parseList(['else', 'end']);
    let otherwise: Node[] = [];
    if (then.stop === 'else') {
      const elseAction = (actions[index++] as { action: string }).action;
      const chained = /^else\s+(if|with)\s+([\s\S]+)$/.exec(elseAction);
      if (chained?.[1] && chained[2]) {
        // `else if` is an `if` nested in the else branch, sharing this one's `end`.
        otherwise = [parseConditional(chained[1] as 'if' | 'with', chained[2])];
        return { type: keyword, pipe: parsePipeline(condition), whenTrue: then.nodes, otherwise };
      }
      const rest = parseList(['end']);
      otherwise = rest.nodes;
      expectEnd(rest.stop, keyword);
    } else {
      expectEnd(then.stop, keyword);
    }
    return { type: keyword, pipe: parsePipeline(condition), whenTrue: then.nodes, otherwise };
  };
  const parseRange = (header: string): Node => {
    const declared = /^(\$\w*)\s*(?:,\s*(\$\w*)\s*)?:=\s*([\s\S]+)$/.exec(header);
    const pipe = parsePipeline(declared?.[3] ?? header);
    const body = parseList(['else', 'end']);
    let otherwise: Node[] = [];
    if (body.stop === 'else') {
      index++;
      const rest = parseList(['end']);
      otherwise = rest.nodes;
      expectEnd(rest.stop, 'range');
    } else {
      expectEnd(body.stop, 'range');
    }
    const node: Node = { type: 'range', pipe, body: body.nodes, otherwise };
    if (declared?.[1] && declared[2]) {
      node.keyVar = declared[1];
      node.valueVar = declared[2];
    } else if (declared?.[1]) {
      node.valueVar = declared[1];
    }
    return node;
  };
  const result = parseList([]);
  if (index < actions.length) {
    const stray = actions[index] as { action: string };
    throw new GoTemplateError(`{{ ${stray.action} }} has no matching {{ if }}, {{ with }} or {{ range }}`);
  }
  return result.nodes;
};

const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)')|(-?\d+(?:\.\d+)?)|(\|)|(\()|(\))|(\$\w*(?:\.\w+)*)|(\.(?:\w+(?:\.\w+)*)?)|([A-Za-z_][\w.]*))/y;

const parsePipeline = (text: string): Pipeline => {
  let at = 0;
  const parseCommands = (closing: boolean): Command[] => {
    const commands: Command[] = [[]];
    while (at < text.length) {
      TOKEN.lastIndex = at;
      const match = TOKEN.exec(text);
      if (!match) {
        if (text.slice(at).trim() === '') break;
        throw new GoTemplateError(`cannot read "${text.slice(at).trim()}" in {{ ${text} }}`);
      }
      at = TOKEN.lastIndex;
      const [, quoted, number, pipe, open, close, variable, field, word] = match;
      const current = commands.at(-1) as Command;
      if (quoted !== undefined) current.push({ type: 'literal', value: readQuoted(quoted) });
      else if (number !== undefined) current.push({ type: 'literal', value: Number(number) });
      else if (pipe) commands.push([]);
      else if (open) {
        const inner = parseCommands(true);
        const path: string[] = [];
        const suffix = /^\.(\w+(?:\.\w+)*)/.exec(text.slice(at));
        if (suffix?.[1]) {
          path.push(...suffix[1].split('.'));
          at += suffix[0].length;
        }
        current.push({ type: 'group', pipe: { commands: inner }, path });
      } else if (close) {
        if (!closing) throw new GoTemplateError(`unexpected ")" in {{ ${text} }}`);
        return commands;
      } else if (variable !== undefined) {
        const [name = '$', ...path] = variable.split('.');
        current.push({ type: 'field', base: name, path });
      } else if (field !== undefined) {
        current.push({ type: 'field', base: 'dot', path: field === '.' ? [] : field.slice(1).split('.') });
      } else if (word !== undefined) {
        if (word === 'true' || word === 'false') current.push({ type: 'literal', value: word === 'true' });
        else if (word === 'nil') current.push({ type: 'literal', value: undefined });
        else current.push({ type: 'call', name: word });
      }
    }
    if (closing) throw new GoTemplateError(`"(" is never closed in {{ ${text} }}`);
    return commands;
  };
  const commands = parseCommands(false);
  if (commands.some((command) => command.length === 0)) throw new GoTemplateError(`empty command in {{ ${text} }}`);
  return { commands };
};

const readQuoted = (quoted: string): string => {
  if (quoted.startsWith('`')) return quoted.slice(1, -1);
  return quoted
    .slice(1, -1)
    .replace(/\\(["'\\nt])/g, (_all, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char));
};

// ---------------------------------------------------------------- execution

type Scope = Map<string, unknown>;

const execute = (nodes: Node[], dot: unknown, scope: Scope, functions: TemplateFunctions): string => {
  let out = '';
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += node.text;
        break;
      case 'print':
        out += printValue(evaluate(node.pipe, dot, scope, functions));
        break;
      case 'assign':
        if (!node.declare && !scope.has(node.name)) throw new GoTemplateError(`undefined variable ${node.name}`);
        scope.set(node.name, evaluate(node.pipe, dot, scope, functions));
        break;
      case 'if': {
        const value = evaluate(node.pipe, dot, scope, functions);
        out += execute(isTrue(value) ? node.whenTrue : node.otherwise, dot, new Map(scope), functions);
        break;
      }
      case 'with': {
        const value = evaluate(node.pipe, dot, scope, functions);
        out += isTrue(value)
          ? execute(node.whenTrue, value, new Map(scope), functions)
          : execute(node.otherwise, dot, new Map(scope), functions);
        break;
      }
      case 'range': {
        const value = evaluate(node.pipe, dot, scope, functions);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : value instanceof Map
            ? [...value.entries()]
            : typeof value === 'number'
              ? Array.from({ length: value }, (_, index) => [index, index])
              : value && typeof value === 'object'
                ? Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))
                : [];
        if (entries.length === 0) {
          out += execute(node.otherwise, dot, new Map(scope), functions);
          break;
        }
        for (const [key, item] of entries) {
          const inner = new Map(scope);
          if (node.keyVar) inner.set(node.keyVar, key);
          if (node.valueVar) inner.set(node.valueVar, item);
          out += execute(node.body, item, inner, functions);
        }
        break;
      }
    }
  }
  return out;
};

const evaluate = (pipe: Pipeline, dot: unknown, scope: Scope, functions: TemplateFunctions): unknown => {
  let previous: unknown;
  let first = true;
  for (const command of pipe.commands) {
    const args = first ? [] : [previous];
    previous = runCommand(command, dot, scope, functions, args);
    first = false;
  }
  return previous;
};

const runCommand = (
  command: Command,
  dot: unknown,
  scope: Scope,
  functions: TemplateFunctions,
  piped: unknown[],
): unknown => {
  const [head, ...rest] = command;
  const args = () => [...rest.map((operand) => operandValue(operand, dot, scope, functions)), ...piped];
  if (head?.type === 'call') {
    const fn = functions[head.name];
    if (!fn) throw new GoTemplateError(`the function "${head.name}" is not supported in shortcode templates`);
    return fn(...args());
  }
  if (head?.type === 'field' && head.path.length > 0) {
    // A method call with arguments: `.Get "src"`.
    const owner = resolvePath(baseValue(head.base, dot, scope), head.path.slice(0, -1));
    const member = lookup(owner, head.path.at(-1) ?? '');
    if (typeof member === 'function') return member.apply(owner, args());
    if (rest.length > 0 || piped.length > 0) throw new GoTemplateError(`${head.path.join('.')} is not a method`);
    return member;
  }
  if (rest.length > 0 || piped.length > 0) throw new GoTemplateError('a value cannot take arguments');
  return head ? operandValue(head, dot, scope, functions) : undefined;
};

const operandValue = (operand: Operand, dot: unknown, scope: Scope, functions: TemplateFunctions): unknown => {
  switch (operand.type) {
    case 'literal':
      return operand.value;
    case 'field': {
      const value = resolvePath(baseValue(operand.base, dot, scope), operand.path);
      return typeof value === 'function' ? value() : value;
    }
    case 'call': {
      const fn = functions[operand.name];
      if (!fn) throw new GoTemplateError(`the function "${operand.name}" is not supported in shortcode templates`);
      return fn();
    }
    case 'group':
      return resolvePath(evaluate(operand.pipe, dot, scope, functions), operand.path);
  }
};

const baseValue = (base: string, dot: unknown, scope: Scope): unknown => {
  if (base === 'dot') return dot;
  if (!scope.has(base)) throw new GoTemplateError(`undefined variable ${base}`);
  return scope.get(base);
};

const resolvePath = (value: unknown, path: readonly string[]): unknown => {
  let current = value;
  for (const key of path) {
    const member = lookup(current, key);
    current = typeof member === 'function' ? (member as () => unknown).call(current) : member;
  }
  return current;
};

/** A field or map key; Hugo's params are read case-insensitively. */
const lookup = (value: unknown, key: string): unknown => {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Map) return value.get(key) ?? value.get(key.toLowerCase());
  if (typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return found === undefined ? undefined : record[found];
};

const isTrue = (value: unknown): boolean => {
  if (value instanceof SafeHtml) return value.html !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
};

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

const printValue = (value: unknown): string => {
  if (value instanceof SafeHtml) return value.html;
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return escapeHtml(value.toISOString());
  if (typeof value === 'object') return escapeHtml(JSON.stringify(value));
  return escapeHtml(String(value));
};

const text = (value: unknown): string =>
  value instanceof SafeHtml ? value.html : value === undefined || value === null ? '' : String(value);

const compare = (a: unknown, b: unknown): number => {
  const x = a instanceof SafeHtml ? a.html : a;
  const y = b instanceof SafeHtml ? b.html : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
};

const printf = (format: unknown, ...args: unknown[]): string => {
  let index = 0;
  return text(format).replace(/%([-+ 0#]*\d*(?:\.\d+)?)([vsdqftT%])/g, (_all, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const value = args[index++];
    if (verb === 'q') return JSON.stringify(text(value));
    if (verb === 'd') return String(Math.trunc(Number(value)));
    if (verb === 'f') return Number(value).toFixed(6);
    if (verb === 'T') return typeof value;
    return text(value);
  });
};

const BUILTINS: TemplateFunctions = {
  and: (...args) => args.find((arg) => !isTrue(arg)) ?? args.at(-1),
  or: (...args) => args.find((arg) => isTrue(arg)) ?? args.at(-1),
  not: (value) => !isTrue(value),
  eq: (a, ...others) => others.some((b) => compare(a, b) === 0),
  ne: (a, b) => compare(a, b) !== 0,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  len: (value) =>
    Array.isArray(value)
      ? value.length
      : value && typeof value === 'object'
        ? Object.keys(value).length
        : text(value).length,
  index: (value, ...keys) => keys.reduce((current, key) => lookup(current, String(key)), value),
  print: (...args) => args.map(text).join(''),
  println: (...args) => `${args.map(text).join(' ')}\n`,
  printf,
  default: (fallback, value) => (isTrue(value) ? value : fallback),
  isset: (value, key) => lookup(value, String(key)) !== undefined,
  in: (list, item) =>
    Array.isArray(list) ? list.some((entry) => compare(entry, item) === 0) : text(list).includes(text(item)),
  safeHTML: (value) => new SafeHtml(text(value)),
  safeHTMLAttr: (value) => new SafeHtml(text(value)),
  safeURL: (value) => text(value),
  safeCSS: (value) => text(value),
  safeJS: (value) => text(value),
  htmlEscape: (value) => escapeHtml(text(value)),
  htmlUnescape: (value) =>
    text(value)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&#34;|&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  plainify: (value) => text(value).replace(/<[^>]*>/g, ''),
  lower: (value) => text(value).toLowerCase(),
  upper: (value) => text(value).toUpperCase(),
  title: (value) => text(value).replace(/\b\p{L}/gu, (char) => char.toUpperCase()),
  trim: (value, cutset) => {
    const chars = new Set(text(cutset));
    const chars2 = Array.from(text(value));
    while (chars2.length > 0 && chars.has(chars2[0] ?? '')) chars2.shift();
    while (chars2.length > 0 && chars.has(chars2.at(-1) ?? '')) chars2.pop();
    return chars2.join('');
  },
  chomp: (value) => text(value).replace(/[\r\n]+$/, ''),
  replace: (value, from, to) => text(value).replaceAll(text(from), text(to)),
  replaceRE: (pattern, to, value) =>
    text(value).replace(new RegExp(text(pattern), 'g'), text(to).replace(/\$(\d)/g, '$$$1')),
  split: (value, separator) => text(value).split(text(separator)),
  delimit: (list, separator) => (Array.isArray(list) ? list.map(text).join(text(separator)) : text(list)),
  slice: (...items) => items,
  dict: (...pairs) => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index + 1 < pairs.length; index += 2) record[text(pairs[index])] = pairs[index + 1];
    return record;
  },
  first: (count, list) => (Array.isArray(list) ? list.slice(0, Number(count)) : list),
  last: (count, list) => (Array.isArray(list) ? list.slice(-Number(count)) : list),
  int: (value) => Math.trunc(Number(text(value))),
  string: (value) => text(value),
  urlquery: (...args) => encodeURIComponent(args.map(text).join('')),
  urlize: (value) =>
    text(value)
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '-')
      .replace(/[^\p{L}\p{N}_.~/-]/gu, ''),
  humanize: (value) => {
    const words = text(value).replace(/[-_]+/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  },
  'strings.TrimSpace': (value) => text(value).trim(),
  'strings.Contains': (value, part) => text(value).includes(text(part)),
  'strings.HasPrefix': (value, prefix) => text(value).startsWith(text(prefix)),
  'strings.HasSuffix': (value, suffix) => text(value).endsWith(text(suffix)),
  'strings.ToLower': (value) => text(value).toLowerCase(),
  'strings.ToUpper': (value) => text(value).toUpperCase(),
  hasPrefix: (value, prefix) => text(value).startsWith(text(prefix)),
  findRE: (pattern, value) => text(value).match(new RegExp(text(pattern), 'g')) ?? [],
};
