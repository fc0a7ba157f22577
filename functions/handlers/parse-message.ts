/**
 * Reading a queued or published message at the edge: JSON, then a zod schema, and an error that says which queue or
 * topic the message came from and every field that is wrong, in words an operator reads in a log line.
 */
import type { z } from 'zod';
import { describeError, FeedmailError } from '../core/errors.ts';

/** One thing wrong with a message: the field (`bounce.bouncedRecipients[0].emailAddress`, '' for the whole). */
export interface MessageIssue {
  field: string;
  problem: string;
}

/** A message that cannot be read: not JSON, or not the shape its schema asks for. Retrying it cannot help. */
export class MessageError extends FeedmailError {
  override name = 'MessageError';

  constructor(
    /** Where the message came from: `confirmation queue`, `alarm topic`. */
    readonly source: string,
    readonly issues: readonly MessageIssue[],
    options?: ErrorOptions,
  ) {
    const described = issues.map(({ field, problem }) => (field === '' ? problem : `field "${field}": ${problem}`));
    super(`${source} message: ${described.join('; ')}`, options);
  }
}

const fieldOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (field, key) =>
      typeof key === 'number' ? `${field}[${key}]` : field === '' ? String(key) : `${field}.${String(key)}`,
    '',
  );

const ARTICLES: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  string: 'a string',
  number: 'a number',
};

/** Zod's problems in short words, where a schema does not give its own. */
const shortProblem: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'missing' : `expected ${ARTICLES[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'invalid_value')
    return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
  return undefined;
};

/**
 * Checks a value already parsed from JSON against `schema`, throwing a MessageError that lists every problem.
 * @example checkMessage('digest queue', batchSchema, { digestId: 'd', batchId: 'b' }) // throws: digest queue message: field "keys": missing
 */
export const checkMessage = <Schema extends z.ZodType>(
  source: string,
  schema: Schema,
  value: unknown,
): z.output<Schema> => {
  const result = schema.safeParse(value, { error: shortProblem });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: fieldOf(issue.path),
    problem: issue.path.length === 0 && issue.code === 'invalid_type' ? 'not a JSON object' : issue.message,
  }));
  throw new MessageError(source, issues, { cause: result.error });
};

/**
 * Reads a message body: JSON, then `schema`.
 * @example parseMessage('confirmation queue', welcomeSchema, '{"kind":"welcome","key":5}') // throws: confirmation queue message: field "key": expected a string; field "confirmedAt": missing
 */
export const parseMessage = <Schema extends z.ZodType>(
  source: string,
  schema: Schema,
  body: string,
): z.output<Schema> => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MessageError(source, [{ field: '', problem: `not JSON (${describeError(error)})` }], { cause: error });
  }
  return checkMessage(source, schema, json);
};
