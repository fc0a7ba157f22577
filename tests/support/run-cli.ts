import { runCli } from '../../functions/cli.ts';

/** Runs the author's command line in `cwd` as a test sees it: exit status, and stdout and stderr as text. */
export const runCliIn = async (cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, cwd);
  return { code, out: out.join('\n'), err: err.join('\n') };
};
