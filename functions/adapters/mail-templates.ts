import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles } from './list-files.ts';

/**
 * The MJML templates and partials of templates/mail/ as a map of relative path -> text, the shape the mail
 * compiler takes (it never reads files itself). The Lambda bundle carries the folder beside the handler.
 */
export const loadMailTemplates = async (directory: string): Promise<Record<string, string>> => {
  const paths = (await listFiles(directory)).filter((path) => path.endsWith('.mjml'));
  const entries = await Promise.all(paths.map(async (path) => [path, await readFile(join(directory, path), 'utf8')]));
  return Object.fromEntries(entries);
};
