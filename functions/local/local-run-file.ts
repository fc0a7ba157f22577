/**
 * `npm start` writes where its stand-ins listen to `.local/run.json`, so the CLI (`subscribers …`) can reach the
 * running local list; the file is removed when the run stops, and a stale one (a run that crashed) is detected.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

export const writeLocalRun = async (root: string, info: LocalRunInfo): Promise<() => Promise<void>> => {
  await mkdir(join(root, '.local'), { recursive: true });
  await writeFile(pathIn(root), `${JSON.stringify(info, null, 2)}\n`);
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
