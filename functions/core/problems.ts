import type { Problem } from './types.ts';

/**
 * One line per problem, the way compilers print them, so editors can jump to the spot.
 * @example formatProblem(p) // 'posts/a.md:3: error: title: the title is empty. Fix: give the post a title.'
 */
export const formatProblem = (problem: Problem): string => {
  const where = problem.line !== undefined ? `${problem.file}:${problem.line}` : problem.file;
  const field = problem.field ? `${problem.field}: ` : '';
  return `${where}: ${problem.severity}: ${field}${problem.message} Fix: ${problem.fix}`;
};

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === 'error');

/** The text of the report object left beside a rejected post in the bucket. */
export const formatReport = (sourcePath: string, problems: readonly Problem[], at: Date): string =>
  [
    `${sourcePath} was not published (checked ${at.toISOString()}).`,
    'Fix the problems below and upload the file again; what was published before stays online meanwhile.',
    '',
    ...problems.map(formatProblem),
    '',
  ].join('\n');
