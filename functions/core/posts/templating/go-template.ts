import {
  type Executed,
  executeTemplate,
  type OutputMode,
  TemplateBudget,
  type TemplateFunction,
} from './go/execute.ts';
import { type FunctionNames, type ParsedTemplate, parseGoTemplate } from './go/parse.ts';
import { hugoFunctionNames } from './hugo-functions/index.ts';

/**
 * Go templates as Hugo runs a site's shortcodes and partials: the grammar (go/parse.ts), the evaluator with its
 * budget (go/execute.ts), Go's values and fmt (go/values.ts, go/format.ts, go/time.ts), and Hugo's function
 * families (hugo-functions/). Anything outside what is implemented is an error naming it, never silent output.
 */

export { DEFAULT_LIMITS, TemplateBudget, type TemplateFunction, type TemplateLimits } from './go/execute.ts';
export { GoTemplateError, GoTemplateLimitError, SafeHtml } from './go/values.ts';

export type TemplateFunctions = Record<string, TemplateFunction>;

const cache = new Map<string, ParsedTemplate>();

/** Parses once per source (with Hugo's function names); parsed templates are never changed, so they are shared. */
export const compileGoTemplate = (source: string, names: FunctionNames = hugoFunctionNames()): ParsedTemplate => {
  if (names !== hugoFunctionNames()) return parseGoTemplate(source, names);
  const cached = cache.get(source);
  if (cached) return cached;
  const parsed = parseGoTemplate(source, names);
  if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
  cache.set(source, parsed);
  return parsed;
};

const namesOf = (functions: TemplateFunctions): FunctionNames => ({
  has: (name) => name in functions || name === 'and' || name === 'or',
  isNamespace: (name) => Object.keys(functions).some((candidate) => candidate.startsWith(`${name}.`)),
});

export interface RenderOptions {
  /** The functions the template may call; without them, only the evaluator's own (and, or). */
  functions?: TemplateFunctions;
  /** Shared by every template of a post; a fresh one with the default limits when absent. */
  budget?: TemplateBudget;
  /** `html` escapes printed values as html/template does; `text` prints them as text/template does. */
  mode?: OutputMode;
}

/**
 * Renders a template against `data` (the dot); throws GoTemplateError (with the line) when it cannot.
 * @example renderGoTemplate('<b>{{ .name }}</b>', { name: 'Ada' }) // '<b>Ada</b>'
 */
export const runGoTemplate = (source: string, data: unknown, options: RenderOptions = {}): Executed => {
  const functions = options.functions ?? {};
  const parsed = compileGoTemplate(source, options.functions ? hugoNamesOr(functions) : namesOf(functions));
  return executeTemplate(parsed, data, {
    functions,
    budget: options.budget ?? new TemplateBudget(),
    mode: options.mode ?? 'html',
  });
};

export const renderGoTemplate = (source: string, data: unknown, options: RenderOptions = {}): string =>
  runGoTemplate(source, data, options).text;

/** Hugo's names when the table is Hugo's (the parse cache applies), else the table's own. */
const hugoNamesOr = (functions: TemplateFunctions): FunctionNames => {
  const hugo = hugoFunctionNames();
  return 'strings.Substr' in functions && 'urls.Parse' in functions ? hugo : namesOf(functions);
};
