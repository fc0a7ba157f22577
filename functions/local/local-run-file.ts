/**
 * `npm start` writes where its stand-ins listen to `.local/run.json`, so the CLI (`subscribers …`) can reach the
 * running local list; the file is removed when the run stops, and a stale one (a run that crashed) is detected.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LocalRunInfo {
  pid: number;
  siteUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The run's token key (hex), so mail the CLI sends carries links the running API accepts. Local use only. */
  tokenKey: string;
}

const pathIn = (root: string) => join(root, '.local', 'run.json');

/**
 * Writes the file readable by its owner only (0600, in a 0700 `.local`): it holds the run's token key, with which
 * anyone could forge its links. `mode` only applies to a file being created, so the text goes to a new file that is
 * renamed over the old one: an existing run.json with wider permissions never holds the key, not even for a moment.
 */
export const writeLocalRun = async (root: string, info: LocalRunInfo): Promise<() => Promise<void>> => {
  const folder = join(root, '.local');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const fresh = `${pathIn(root)}.${process.pid}.tmp`;
  await rm(fresh, { force: true });
  await writeFile(fresh, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(fresh, pathIn(root));
  return () => rm(pathIn(root), { force: true });
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running local run's endpoints, or undefined when none is running. */
export const readLocalRun = async (root: string): Promise<LocalRunInfo | undefined> => {
  let text: string;
  try {
    text = await readFile(pathIn(root), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as LocalRunInfo;
    return isRunning(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
};
