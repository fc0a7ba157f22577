import { sprint, sprintf } from '../go/format.ts';
import { GoTemplateError } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toText } from './convert.ts';

/** The template's own errorf: the author's message stops the post, as it stops Hugo's build. */
export class TemplateErrorfError extends GoTemplateError {}

/** Hugo's fmt namespace: print, printf, println, errorf (rejects the post with its message) and warnf (a warning). */
export const fmtFunctions: FunctionFamily = (context) => {
  const limit = context.budget.limits.output;
  const print = (...args: unknown[]) => sprint(args);
  const printf = (format: unknown, ...args: unknown[]) => sprintf(toText(format), args, limit);
  const println = (...args: unknown[]) => `${args.map((arg) => sprint([arg])).join(' ')}\n`;
  const errorf = (format: unknown, ...args: unknown[]): never => {
    throw new TemplateErrorfError(sprintf(toText(format), args, limit));
  };
  const erroridf = (_id: unknown, format: unknown, ...args: unknown[]): never => errorf(format, ...args);
  const warnf = (format: unknown, ...args: unknown[]) => {
    context.warn(sprintf(toText(format), args, limit));
    return '';
  };
  return {
    print,
    printf,
    println,
    errorf,
    erroridf,
    warnf,
    'fmt.Print': print,
    'fmt.Printf': printf,
    'fmt.Println': println,
    'fmt.Errorf': errorf,
    'fmt.Erroridf': erroridf,
    'fmt.Warnf': warnf,
  };
};
