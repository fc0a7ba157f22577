import { TemplateBudget, type TemplateFunction } from '../go/execute.ts';
import type { FunctionNames } from '../go/parse.ts';
import { castFunctions } from './cast.ts';
import { collectionsFunctions } from './collections.ts';
import { compareFunctions } from './compare.ts';
import type { FunctionContext, FunctionFamily } from './context.ts';
import { fmtFunctions } from './fmt.ts';
import { langFunctions } from './lang.ts';
import { mathFunctions } from './math.ts';
import { miscFunctions, UNSUPPORTED_FUNCTIONS, unsupported } from './misc.ts';
import { stringsFunctions } from './strings.ts';
import { timeFunctions } from './time.ts';
import { transformFunctions } from './transform.ts';
import { urlsFunctions } from './urls.ts';

/**
 * Hugo's template functions, family by family as Hugo's documentation lists its namespaces, with their short
 * names (`substr` for strings.Substr). Functions Hugo has but that cannot run here are there too, failing with
 * their reason when reached; a name in neither list is not a Hugo function, and the template is refused.
 */

const FAMILIES: FunctionFamily[] = [
  compareFunctions,
  fmtFunctions,
  castFunctions,
  stringsFunctions,
  mathFunctions,
  collectionsFunctions,
  urlsFunctions,
  transformFunctions,
  timeFunctions,
  langFunctions,
  miscFunctions,
];

/** `and` and `or` are the evaluator's own (they stop early); they still need to be known names. */
const EVALUATOR_BUILTINS = ['and', 'or'];

/**
 * The table of every function, for one post's templates.
 * @example createHugoFunctions(context).substr('Hello', 1, 3) // 'ell'
 */
export const createHugoFunctions = (context: FunctionContext): Record<string, TemplateFunction> => {
  const table: Record<string, TemplateFunction> = {};
  for (const [name, reason] of UNSUPPORTED_FUNCTIONS) table[name] = unsupported(name, reason);
  for (const family of FAMILIES) Object.assign(table, family(context));
  return table;
};

let names: FunctionNames | undefined;

/** Which names are functions and which are namespaces (strings, urls, …), for the parser. */
export const hugoFunctionNames = (): FunctionNames => {
  if (names) return names;
  // Names do not depend on the post: any context lists them.
  const stub = {
    budget: new TemplateBudget(),
    site: { baseUrl: 'https://example.invalid/', language: 'en', zone: 'UTC' },
  } as unknown as FunctionContext;
  const all = new Set([
    ...EVALUATOR_BUILTINS,
    ...UNSUPPORTED_FUNCTIONS.keys(),
    ...FAMILIES.flatMap((family) => Object.keys(family(stub))),
  ]);
  const namespaces = new Set([...all].filter((name) => name.includes('.')).map((name) => name.split('.')[0] as string));
  names = { has: (name) => all.has(name), isNamespace: (name) => namespaces.has(name) };
  return names;
};
