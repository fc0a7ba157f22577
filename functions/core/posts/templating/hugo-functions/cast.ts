import { float } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toFloat, toInt, toText } from './convert.ts';

/** Hugo's cast namespace: int, float and string. */
export const castFunctions: FunctionFamily = () => {
  const int = (value: unknown) => toInt(value);
  const toFloat64 = (value: unknown) => float(toFloat(value));
  const string = (value: unknown) => toText(value);
  return {
    int,
    float: toFloat64,
    string,
    'cast.ToInt': int,
    'cast.ToFloat': toFloat64,
    'cast.ToString': string,
  };
};
