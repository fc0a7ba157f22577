import { GoTemplateError, isTrue } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { goCompare, goEqual } from './convert.ts';

/** Hugo's compare namespace: eq, ne, lt, le, gt, ge, cond and default, with Hugo's rules for mixed kinds. */

const ordered =
  (name: string, test: (order: number) => boolean) =>
  (first: unknown, ...others: unknown[]) => {
    if (others.length === 0) throw new GoTemplateError(`missing argument for comparison in ${name}`);
    return others.every((other) => test(goCompare(first, other)));
  };

/**
 * Whether `default` takes a value as set: any boolean, non-zero numbers and times, non-empty strings, lists and maps,
 * any other struct.
 */
const isSet = (value: unknown): boolean => (typeof value === 'boolean' ? true : isTrue(value));

export const compareFunctions: FunctionFamily = () => {
  const eq = (first: unknown, ...others: unknown[]) => {
    if (others.length === 0) throw new GoTemplateError('missing argument for comparison');
    return others.some((other) => goEqual(first, other));
  };
  const ne = (first: unknown, second: unknown) => !goEqual(first, second);
  const lt = ordered('lt', (order) => order < 0);
  const le = ordered('le', (order) => order <= 0);
  const gt = ordered('gt', (order) => order > 0);
  const ge = ordered('ge', (order) => order >= 0);
  const cond = (control: unknown, whenTrue: unknown, whenFalse: unknown) => {
    if (typeof control !== 'boolean') throw new GoTemplateError(`cond expects a boolean, got ${String(control)}`);
    return control ? whenTrue : whenFalse;
  };
  // `index . "key" | default "x"` passes no piped value when the key is missing, so the given value is optional.
  const byDefault = (fallback: unknown, ...given: unknown[]) => {
    if (given.length > 1) throw new GoTemplateError(`wrong number of args for default: want 2 got ${given.length + 1}`);
    return given.length === 1 && isSet(given[0]) ? given[0] : fallback;
  };
  return {
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    cond,
    default: byDefault,
    'compare.Eq': eq,
    'compare.Ne': ne,
    'compare.Lt': lt,
    'compare.Le': le,
    'compare.Gt': gt,
    'compare.Ge': ge,
    'compare.Conditional': cond,
    'compare.Default': byDefault,
    not: (value: unknown) => !isTrue(value),
  };
};
