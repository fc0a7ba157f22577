import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicFile } from '../core/types.ts';

/**
 * The static files of the site theme (templates/site/: the stylesheet authors may edit), as public files to copy
 * to the site root. The Lambda bundle carries a copy of the folder beside the handler.
 */
export const loadSiteTemplates = async (directory: string): Promise<PublicFile[]> => {
  const names = (await readdir(directory)).filter((name) => !name.startsWith('.')).sort();
  return Promise.all(names.map(async (name) => ({ path: name, body: await readFile(join(directory, name), 'utf8') })));
};
