import { escapeHtml, formatValue, goTypeName } from './format.ts';
import type { Command, Node, Operand, ParsedTemplate, Pipeline } from './parse.ts';
import { GoTime } from './time.ts';
import {
  GoNil,
  GoObject,
  GoTemplateError,
  GoTemplateLimitError,
  isMap,
  isNumber,
  isTrue,
  mapEntries,
  numberOf,
  SafeHtml,
} from './values.ts';

/**
 * Runs a parsed Go template the way text/template's exec does (html/template's escaping of printed values
 * included, for HTML text), inside a budget: every action, command, function call and loop turn costs a step,
 * every character written counts against the output allowance, and templates calling templates (partials,
 * {{ template }}) count against a depth limit. Whatever a template does, it finishes or is refused with a
 * GoTemplateLimitError once it has spent its budget; the budget is shared by every template of one post.
 */

export type TemplateFunction = (...args: unknown[]) => unknown;

export interface TemplateLimits {
  /** Steps (actions, commands, calls, loop turns, and the work inside functions) for all templates of a post. */
  steps: number;
  /** Characters the templates of a post may write, and the longest string a function may make. */
  output: number;
  /** How deep templates may call templates (partials, {{ template }}, translations). */
  depth: number;
}

/** A million steps took 0.2 to 0.8 s here (loops to pipelines); two million characters is eight times the largest post. */
export const DEFAULT_LIMITS: TemplateLimits = { steps: 1_000_000, output: 2_000_000, depth: 32 };

export class TemplateBudget {
  steps = 0;
  output = 0;
  depth = 0;

  constructor(readonly limits: TemplateLimits = DEFAULT_LIMITS) {}

  /** Spends `count` steps; refuses the template, spending nothing, when they would take it past its allowance. */
  step(count = 1): void {
    if (this.steps + count > this.limits.steps) {
      throw new GoTemplateLimitError(
        `the templates of this post ran for more than ${this.limits.steps.toLocaleString('en')} steps (an endless or very long loop?)`,
      );
    }
    this.steps += count;
  }

  /** Counts characters written to the output. */
  write(length: number): void {
    if (this.output + length > this.limits.output) {
      throw new GoTemplateLimitError(
        `the templates of this post wrote more than ${this.limits.output.toLocaleString('en')} characters`,
      );
    }
    this.output += length;
  }

  /** Refuses a value (a string, a list) longer than the output allowance, before or after it is made. */
  size(length: number, what = 'a value'): void {
    if (length > this.limits.output) {
      throw new GoTemplateLimitError(
        `${what} of ${Math.min(length, Number.MAX_SAFE_INTEGER).toLocaleString('en')} characters or items is more than a post may hold (${this.limits.output.toLocaleString('en')})`,
      );
    }
    this.step(Math.ceil(length / 64));
  }

  enter(): void {
    this.depth++;
    if (this.depth > this.limits.depth) {
      this.depth--;
      throw new GoTemplateLimitError(
        `templates call each other more than ${this.limits.depth} deep (a partial that includes itself?)`,
      );
    }
  }

  leave(): void {
    this.depth--;
  }
}

/** `html` escapes printed values as html/template does; `text` prints them as text/template does (translations). */
export type OutputMode = 'html' | 'text';

export interface ExecuteOptions {
  functions: Readonly<Record<string, TemplateFunction>>;
  budget: TemplateBudget;
  mode?: OutputMode;
}

/** What a template gave: its text, and the value of its {{ return }} when it has one (partials). */
export interface Executed {
  text: string;
  returned?: { value: unknown };
}

/**
 * Runs `template` with `data` as its dot (and `$`).
 * @example executeTemplate(parseGoTemplate('{{ .x }}', names), { x: '<b>' }, options).text // '&lt;b&gt;'
 */
export const executeTemplate = (template: ParsedTemplate, data: unknown, options: ExecuteOptions): Executed => {
  const state = new State(template, options);
  options.budget.enter();
  try {
    const scope = new Scope(undefined);
    scope.declare('$', data);
    state.walk(template.root, data, scope);
    return { text: state.out.join('') };
  } catch (signal) {
    if (signal instanceof ReturnSignal) return { text: state.out.join(''), returned: { value: signal.value } };
    if (signal instanceof LoopSignal) throw new GoTemplateError(`{{ ${signal.kind} }} outside {{ range }}`);
    throw signal;
  } finally {
    options.budget.leave();
  }
};

class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent: Scope | undefined) {}

  declare(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  assign(name: string, value: unknown): void {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.vars.has(name)) {
        scope.vars.set(name, value);
        return;
      }
    }
    throw new GoTemplateError(`undefined variable: ${name}`);
  }

  get(name: string): unknown {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.vars.has(name)) return scope.vars.get(name);
    }
    throw new GoTemplateError(`undefined variable: ${name}`);
  }
}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/** No value piped in from a previous command. */
const NONE = Symbol('none');
type Final = unknown | typeof NONE;

class State {
  readonly out: string[] = [];
  private readonly budget: TemplateBudget;
  private readonly functions: Readonly<Record<string, TemplateFunction>>;
  private readonly print: (value: unknown) => string;

  constructor(
    private readonly template: ParsedTemplate,
    options: ExecuteOptions,
  ) {
    this.budget = options.budget;
    this.functions = options.functions;
    this.print = options.mode === 'text' ? printText : printValue;
  }

  private write(text: string): void {
    if (text === '') return;
    this.budget.write(text.length);
    this.out.push(text);
  }

  walk(nodes: readonly Node[], dot: unknown, scope: Scope): void {
    for (const node of nodes) {
      this.budget.step();
      try {
        this.walkNode(node, dot, scope);
      } catch (error) {
        if (error instanceof GoTemplateError && error.line === undefined) error.line = node.line;
        throw error;
      }
    }
  }

  private walkNode(node: Node, dot: unknown, scope: Scope): void {
    switch (node.type) {
      case 'text':
        this.write(node.text);
        return;
      case 'action': {
        const value = this.pipeline(node.pipe, dot, scope);
        if (node.pipe.decl.length === 0) this.write(this.print(value));
        return;
      }
      case 'if':
      case 'with': {
        const inner = new Scope(scope);
        const value = this.pipeline(node.pipe, dot, inner);
        if (isTrue(value)) this.walk(node.list, node.type === 'with' ? value : dot, inner);
        else this.walk(node.elseList, dot, inner);
        return;
      }
      case 'range':
        this.range(node, dot, scope);
        return;
      case 'break':
      case 'continue':
        throw new LoopSignal(node.type);
      case 'return':
        throw new ReturnSignal(node.pipe ? this.pipeline(node.pipe, dot, scope) : undefined);
      case 'template': {
        const body = this.template.defines.get(node.name);
        if (!body) throw new GoTemplateError(`no such template "${node.name}"`);
        const data = node.pipe ? this.pipeline(node.pipe, dot, scope) : undefined;
        this.budget.enter();
        try {
          const inner = new Scope(undefined);
          inner.declare('$', data);
          this.walk(body, data, inner);
        } finally {
          this.budget.leave();
        }
        return;
      }
    }
  }

  private range(node: Extract<Node, { type: 'range' }>, dot: unknown, scope: Scope): void {
    const header: Pipeline = { decl: [], assign: false, commands: node.pipe.commands };
    const value = this.pipeline(header, dot, scope);
    const [keyVar, valueVar] = node.pipe.decl.length === 2 ? node.pipe.decl : [undefined, node.pipe.decl[0]];
    let turns = 0;
    const turn = (key: unknown, item: unknown): boolean => {
      this.budget.step();
      turns++;
      const inner = new Scope(scope);
      if (keyVar) inner.declare(keyVar, key);
      if (valueVar) inner.declare(valueVar, item);
      try {
        this.walk(node.list, item, inner);
      } catch (signal) {
        if (signal instanceof LoopSignal) return signal.kind === 'continue';
        throw signal;
      }
      return true;
    };
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) if (!turn(index, value[index])) break;
    } else if (isMap(value)) {
      for (const [key, item] of mapEntries(value)) if (!turn(key, item)) break;
    } else if (isNumber(value) && Number.isInteger(numberOf(value)) && typeof value === 'number') {
      // Go 1.22 ranges over an int (Hugo 0.111 refused it); the budget stops a huge one, nothing is allocated.
      for (let index = 0; index < value; index++) if (!turn(index, index)) break;
    } else if (value !== undefined && value !== null && !(value instanceof GoNil)) {
      throw new GoTemplateError(`range can't iterate over ${formatValue(value)}`);
    }
    if (turns === 0) this.walk(node.elseList, dot, new Scope(scope));
  }

  private pipeline(pipe: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: Final = NONE;
    for (const command of pipe.commands) value = this.command(command, dot, scope, value);
    const result = value === NONE ? undefined : value;
    for (const name of pipe.decl) {
      if (pipe.assign) scope.assign(name, result);
      else scope.declare(name, result);
    }
    return result;
  }

  private command(command: Command, dot: unknown, scope: Scope, final: Final): unknown {
    this.budget.step();
    const [first, ...args] = command as [Operand, ...Operand[]];
    switch (first.type) {
      case 'function': {
        if (first.chain.length === 0) return this.call(first.name, args, dot, scope, final);
        const receiver = this.call(first.name, [], dot, scope, NONE);
        return this.chain(receiver, first.chain, args, dot, scope, final, first.name);
      }
      case 'dot':
        if (first.chain.length === 0) return this.notCallable(dot, '.', args, final);
        return this.chain(dot, first.chain, args, dot, scope, final, '');
      case 'variable': {
        const value = scope.get(first.name);
        if (first.chain.length === 0) return this.notCallable(value, first.name, args, final);
        return this.chain(value, first.chain, args, dot, scope, final, first.name);
      }
      case 'pipe': {
        const value = this.pipeline(first.pipe, dot, scope);
        if (first.chain.length === 0) return this.notCallable(value, '(…)', args, final);
        return this.chain(value, first.chain, args, dot, scope, final, '(…)');
      }
      case 'literal':
        if (first.value === undefined && args.length === 0 && final === NONE) {
          throw new GoTemplateError('nil is not a command');
        }
        return this.notCallable(first.value, formatValue(first.value), args, final);
    }
  }

  private notCallable(value: unknown, name: string, args: readonly Operand[], final: Final): unknown {
    if (args.length > 0 || final !== NONE) throw new GoTemplateError(`can't give argument to non-function ${name}`);
    return value;
  }

  /** An operand used as an argument: a function named alone is called with no arguments, as in Go. */
  private argument(operand: Operand, dot: unknown, scope: Scope): unknown {
    switch (operand.type) {
      case 'literal':
        return operand.value;
      case 'dot':
        return operand.chain.length === 0 ? dot : this.chain(dot, operand.chain, [], dot, scope, NONE, '');
      case 'variable': {
        const value = scope.get(operand.name);
        return operand.chain.length === 0
          ? value
          : this.chain(value, operand.chain, [], dot, scope, NONE, operand.name);
      }
      case 'function': {
        const value = this.call(operand.name, [], dot, scope, NONE);
        return operand.chain.length === 0
          ? value
          : this.chain(value, operand.chain, [], dot, scope, NONE, operand.name);
      }
      case 'pipe': {
        this.budget.step();
        const value = this.pipeline(operand.pipe, dot, scope);
        return operand.chain.length === 0 ? value : this.chain(value, operand.chain, [], dot, scope, NONE, '(…)');
      }
    }
  }

  private call(name: string, args: readonly Operand[], dot: unknown, scope: Scope, final: Final): unknown {
    this.budget.step();
    if (name === 'and' || name === 'or') return this.logic(name, args, dot, scope, final);
    const fn = this.functions[name];
    if (!fn) throw new GoTemplateError(`function "${name}" not defined`);
    const values = args.map((arg) => this.argument(arg, dot, scope));
    if (final !== NONE) values.push(final);
    return invoke(fn, values, name, this.budget);
  }

  /** `and` and `or` stop at the first argument that decides them, as Go 1.18 does. */
  private logic(name: 'and' | 'or', args: readonly Operand[], dot: unknown, scope: Scope, final: Final): unknown {
    const count = args.length + (final === NONE ? 0 : 1);
    if (count === 0) throw new GoTemplateError(`wrong number of args for ${name}: want at least 1 got 0`);
    let value: unknown;
    for (let index = 0; index < count; index++) {
      value = index < args.length ? this.argument(args[index] as Operand, dot, scope) : final;
      if (isTrue(value) !== (name === 'and')) return value;
    }
    return value;
  }

  private chain(
    receiver: unknown,
    chain: readonly string[],
    args: readonly Operand[],
    dot: unknown,
    scope: Scope,
    final: Final,
    from: string,
  ): unknown {
    let value = receiver;
    let path = from;
    chain.forEach((name, index) => {
      const last = index === chain.length - 1;
      path = `${path}.${name}`;
      value = this.field(value, name, last ? args : [], dot, scope, last ? final : NONE, path);
    });
    return value;
  }

  private field(
    receiver: unknown,
    name: string,
    args: readonly Operand[],
    dot: unknown,
    scope: Scope,
    final: Final,
    path: string,
  ): unknown {
    this.budget.step();
    const member = memberOf(receiver, name, path);
    if (typeof member === 'function') {
      const values = args.map((arg) => this.argument(arg, dot, scope));
      if (final !== NONE) values.push(final);
      return invoke(member as TemplateFunction, values, path.replace(/^\./, ''), this.budget);
    }
    if (args.length > 0 || final !== NONE) throw new GoTemplateError(`${path} is not a method but has arguments`);
    return member;
  }
}

/** Calls a template function; a JavaScript error inside it becomes the template's error, naming the function. */
const invoke = (fn: TemplateFunction, args: unknown[], name: string, budget: TemplateBudget): unknown => {
  // A function's declared parameters (before any optional or variadic ones) are its required arguments.
  if (args.length < fn.length) {
    throw new GoTemplateError(`wrong number of args for ${name}: want ${fn.length} got ${args.length}`);
  }
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    if (error instanceof GoTemplateError || error instanceof LoopSignal || error instanceof ReturnSignal) throw error;
    if (error instanceof RangeError) {
      throw new GoTemplateLimitError(`error calling ${name}: ${error.message}`, { cause: error });
    }
    throw new GoTemplateError(`error calling ${name}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (typeof result === 'string') budget.size(result.length, `the text ${name} made`);
  else if (Array.isArray(result)) budget.size(result.length, `the list ${name} made`);
  return result;
};

/**
 * A field or method of a value: a struct's member (an error when it has none, as in Go), a map's entry (nothing
 * when missing; Hugo's params are read case-insensitively), a method of a list (Resources.GetMatch).
 */
export const memberOf = (receiver: unknown, name: string, path = name): unknown => {
  if (receiver === undefined || receiver === null) return undefined;
  if (receiver instanceof GoNil) {
    throw new GoTemplateError(
      `nil pointer evaluating ${receiver.typeName}.${name}${receiver.reason ? ` (${receiver.reason})` : ''}`,
    );
  }
  const target = receiver instanceof Date ? new GoTime(receiver, 'UTC') : receiver;
  if (target instanceof GoObject) {
    const member = target.member(name);
    if (!member) throw new GoTemplateError(`can't evaluate field ${name} in type ${target.typeName}`);
    return member.value;
  }
  if (Array.isArray(target)) {
    const method = Object.hasOwn(target, name) ? (target as unknown as Record<string, unknown>)[name] : undefined;
    if (typeof method === 'function') return method;
    throw new GoTemplateError(`can't evaluate field ${name} in type ${goTypeName(target)}`);
  }
  if (isMap(target)) {
    if (target instanceof Map) {
      if (target.has(name)) return target.get(name);
      const lower = name.toLowerCase();
      for (const [key, item] of target) if (String(key).toLowerCase() === lower) return item;
      return undefined;
    }
    if (Object.hasOwn(target, name)) return target[name];
    const lower = name.toLowerCase();
    const found = Object.keys(target).find((key) => key.toLowerCase() === lower);
    return found === undefined ? undefined : target[found];
  }
  throw new GoTemplateError(`can't evaluate field ${name} in type ${goTypeName(target)}${path ? ` (${path})` : ''}`);
};

/** A value printed in HTML text by html/template: escaped, unless it is safe HTML; nil prints nothing. */
export const printValue = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (value instanceof GoNil) return escapeHtml(value.printed);
  if (value instanceof SafeHtml) return value.html;
  return escapeHtml(formatValue(value));
};

/** A value printed by text/template: as fmt prints it, nil as `<no value>`. */
export const printText = (value: unknown): string => {
  if (value === undefined || value === null) return '<no value>';
  if (value instanceof GoNil) return value.printed || '<nil>';
  return formatValue(value);
};
