import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * Every file below `dir`, as sorted `/`-separated paths relative to it (the shape of an S3 key suffix).
 * @example await listFiles('content/posts') // ['2024/cover.png', '2024/hello.md']
 */
export const listFiles = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
};
