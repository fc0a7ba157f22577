import { float, GoNamedInt, GoTemplateError, isFloat, isNumber, numberOf, SafeHtml } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toFloat, toInt } from './convert.ts';

/**
 * Hugo's math namespace with add, sub, mul, div, mod and modBool: ints stay ints (`div 7 2` is 3), a float on
 * either side makes a float (`div 7 2.0` is 3.5), `add` joins two strings; anything else is Hugo's error.
 */

type Operator = '+' | '-' | '*' | '/';

const numeric = (value: unknown): { value: number; float: boolean } | undefined => {
  if (isNumber(value)) return { value: numberOf(value), float: isFloat(value) };
  if (value instanceof GoNamedInt) return { value: value.value, float: false };
  return undefined;
};

const arithmetic = (a: unknown, b: unknown, operator: Operator): unknown => {
  const left = numeric(a);
  const right = numeric(b);
  if (left && right) {
    if (operator === '/' && right.value === 0) throw new GoTemplateError("can't divide the value by 0");
    if (!left.float && !right.float) {
      switch (operator) {
        case '+':
          return left.value + right.value;
        case '-':
          return left.value - right.value;
        case '*':
          return left.value * right.value;
        case '/':
          return Math.trunc(left.value / right.value);
      }
    }
    switch (operator) {
      case '+':
        return float(left.value + right.value);
      case '-':
        return float(left.value - right.value);
      case '*':
        return float(left.value * right.value);
      case '/':
        return float(left.value / right.value);
    }
  }
  const isText = (value: unknown) => typeof value === 'string' || value instanceof SafeHtml;
  if (operator === '+' && isText(a) && isText(b)) return String(a) + String(b);
  throw new GoTemplateError("can't apply the operator to the values");
};

const chain =
  (operator: Operator) =>
  (first: unknown, ...rest: unknown[]) => {
    if (rest.length === 0) throw new GoTemplateError('must provide at least two numbers');
    return rest.reduce((total, next) => arithmetic(total, next, operator), first);
  };

const floatResult = (fn: (value: number) => number) => (value: unknown) => float(fn(toFloat(value)));

const modulo = (a: unknown, b: unknown): number => {
  const divisor = toInt(b);
  if (divisor === 0) throw new GoTemplateError("the number can't be divided by zero at modulo operation");
  return toInt(a) % divisor;
};

export const mathFunctions: FunctionFamily = () => {
  let counter = 0;
  const extreme =
    (pick: (values: number[]) => number) =>
    (...values: unknown[]) => {
      const numbers = values.flatMap((value) => (Array.isArray(value) ? value : [value])).map(toFloat);
      if (numbers.length === 0) throw new GoTemplateError('must provide at least one number');
      return float(pick(numbers));
    };
  const add = chain('+');
  const sub = chain('-');
  const mul = chain('*');
  const div = chain('/');
  const modBool = (a: unknown, b: unknown) => modulo(a, b) === 0;
  return {
    add,
    sub,
    mul,
    div,
    mod: modulo,
    modBool,
    'math.Add': add,
    'math.Sub': sub,
    'math.Mul': mul,
    'math.Div': div,
    'math.Mod': modulo,
    'math.ModBool': modBool,
    'math.Ceil': floatResult(Math.ceil),
    'math.Floor': floatResult(Math.floor),
    // Go's math.Round rounds half away from zero.
    'math.Round': floatResult((value) => Math.sign(value) * Math.round(Math.abs(value))),
    'math.Sqrt': floatResult(Math.sqrt),
    'math.Log': floatResult(Math.log),
    'math.Pow': (base: unknown, exponent: unknown) => float(toFloat(base) ** toFloat(exponent)),
    'math.Max': extreme((values) => Math.max(...values)),
    'math.Min': extreme((values) => Math.min(...values)),
    'math.Counter': () => {
      counter++;
      return counter;
    },
  };
};
