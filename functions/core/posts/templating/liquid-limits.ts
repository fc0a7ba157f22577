import type { Context, Emitter, Liquid, Template } from 'liquidjs';
import { FeedmailError } from '../../errors.ts';

/**
 * What one post's Liquid may cost. A post is someone's text run as a program: `{% for i in (1..100000000) %}`, an
 * `assign` that doubles a string forty times or an include that includes itself would otherwise run until the
 * process has no memory left, taking every other post of the batch with it. Over any budget, that post is rejected
 * with an error naming the budget; the others go on.
 *
 * liquidjs counts three of them itself (parseLimit, memoryLimit, renderLimit); steps, output and include depth are
 * counted here, so that what is refused does not depend on the machine's speed: only renderLimit does, as a
 * backstop in milliseconds.
 */
export interface LiquidLimits {
  /** Characters of Liquid parsed: the post and each include and tag template it uses (liquidjs parseLimit). */
  parseCharacters: number;
  /** Items and characters that filters and ranges build, added up (liquidjs memoryLimit: `(1..n)` costs n). */
  memoryUnits: number;
  /** Template nodes rendered, each loop iteration's again (a for loop over a range of n costs about 2n). */
  renderSteps: number;
  /** Characters written, captured text included. */
  outputCharacters: number;
  /** Includes and tag templates inside one another (Ruby Liquid stops at 100: "Nesting too deep"). */
  includeDepth: number;
  /** Wall-clock time of the render, in milliseconds (liquidjs renderLimit), the backstop. */
  renderMilliseconds: number;
}

/** Far beyond what a post needs (a few thousand steps, tens of kilobytes), far below what harms a worker. */
export const DEFAULT_LIQUID_LIMITS: LiquidLimits = {
  parseCharacters: 2_000_000,
  memoryUnits: 10_000_000,
  renderSteps: 1_000_000,
  outputCharacters: 4_000_000,
  includeDepth: 100,
  renderMilliseconds: 2_000,
};

/** One budget of LiquidLimits ran out. */
export class LiquidLimitError extends FeedmailError {
  override name = 'LiquidLimitError';
  constructor(
    readonly limit: keyof LiquidLimits,
    message: string,
  ) {
    super(message);
  }
}

/** The options that make liquidjs count its own budgets. */
export const liquidLimitOptions = (limits: LiquidLimits) => ({
  parseLimit: limits.parseCharacters,
  memoryLimit: limits.memoryUnits,
  renderLimit: limits.renderMilliseconds,
});

/**
 * Counts steps and output on one engine (each post has its own): every render of a list of templates (a loop body
 * once per iteration, an include, a branch) goes through `renderer.renderTemplates`, and every text written goes
 * to an emitter it is given, so wrapping that one method sees both, captures included.
 */
export const countRendering = (engine: Liquid, limits: LiquidLimits): void => {
  const renderer = engine.renderer;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  let steps = 0;
  const output = { written: 0 };
  renderer.renderTemplates = (templates: Template[], ctx: Context, emitter?: Emitter) => {
    steps += templates.length + 1;
    if (steps > limits.renderSteps) {
      throw new LiquidLimitError('renderSteps', `it takes more than ${limits.renderSteps.toLocaleString('en')} steps`);
    }
    return renderTemplates(templates, ctx, emitter ?? new CountingEmitter(output, limits.outputCharacters));
  };
};

/** An emitter (as liquidjs's own, which keeps a string) that stops once the post has written too much. */
class CountingEmitter implements Emitter {
  buffer = '';
  constructor(
    private readonly output: { written: number },
    private readonly limit: number,
  ) {}
  write(html: unknown): void {
    const text = stringify(html);
    this.output.written += text.length;
    if (this.output.written > this.limit) {
      throw new LiquidLimitError(
        'outputCharacters',
        `it writes more than ${this.limit.toLocaleString('en')} characters`,
      );
    }
    this.buffer += text;
  }
}

/** liquidjs's stringify: a drop's value, arrays joined, nothing for null. */
const stringify = (value: unknown): string => {
  const plain =
    value !== null && typeof value === 'object' && 'valueOf' in value && typeof value.valueOf === 'function'
      ? (value.valueOf() as unknown)
      : value;
  if (typeof plain === 'string') return plain;
  if (plain === null || plain === undefined) return '';
  if (Array.isArray(plain)) return plain.map(stringify).join('');
  return String(plain);
};

/**
 * Runs `render` one include deeper, or refuses past the limit. Rendering is synchronous, so a counter shared by
 * the engine's include and tag templates is the depth. `outermostLine` is the body line of the outermost include
 * or tag being rendered (or that was, when rendering failed): liquidjs names lines inside the include file.
 */
export const includeDepthGuard = (limits: LiquidLimits) => {
  let depth = 0;
  let outermost: number | undefined;
  return {
    *run<T>(name: string, line: number, render: () => Generator<unknown, T, unknown>): Generator<unknown, T, unknown> {
      if (depth >= limits.includeDepth) {
        throw new LiquidLimitError(
          'includeDepth',
          `includes go more than ${limits.includeDepth} deep (${name} includes itself, or a cycle of includes leads back to it)`,
        );
      }
      if (depth === 0) outermost = line;
      depth += 1;
      const result = yield* render();
      depth -= 1;
      if (depth === 0) outermost = undefined;
      return result;
    },
    outermostLine: (): number | undefined => outermost,
  };
};

/**
 * The budget an error from liquidjs ran out of, if it is one: ours (kept as the cause of liquidjs's RenderError)
 * or liquidjs's own, known by its message.
 */
export const limitOf = (error: unknown): { limit: keyof LiquidLimits; reason?: string } | undefined => {
  for (let cause = error; cause instanceof Error; ) {
    if (cause instanceof LiquidLimitError) return { limit: cause.limit, reason: cause.message };
    if (/parse length limit exceeded/.test(cause.message)) return { limit: 'parseCharacters' };
    if (/memory alloc limit exceeded/.test(cause.message)) return { limit: 'memoryUnits' };
    if (/template render limit exceeded/.test(cause.message)) return { limit: 'renderMilliseconds' };
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      return { limit: 'includeDepth', reason: 'its tags nest too deep' };
    }
    if (cause instanceof RangeError && /string length/i.test(cause.message)) {
      return { limit: 'outputCharacters', reason: 'it builds a longer text than a program can hold' };
    }
    const next = (cause as { originalError?: unknown }).originalError ?? cause.cause;
    if (next === cause) break;
    cause = next;
  }
  return undefined;
};
