import { formatTimeLayout, GoTime, toTime } from '../go/time.ts';
import type { FunctionFamily } from './context.ts';
import { toText } from './convert.ts';

/**
 * Hugo's time namespace: time (time.AsTime) from text, time.Format and dateFormat with Go's layouts and Hugo's
 * `:date_long` names, and now. Core reads no clock, so `now` is the post's date (see FunctionContext.now).
 */
export const timeFunctions: FunctionFamily = (context) => {
  const zone = context.site.zone;
  const asTime = (value: unknown) => toTime(value, zone);
  const format = (layout: unknown, value: unknown) => formatTimeLayout(toTime(value, zone), toText(layout));
  const now = () => new GoTime(context.now, zone);
  return {
    time: asTime,
    'time.AsTime': asTime,
    'time.Format': format,
    dateFormat: format,
    now,
    'time.Now': now,
  };
};
