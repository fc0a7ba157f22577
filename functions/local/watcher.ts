import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import { isEditorTempFile } from '../core/posts/source-kind.ts';

/** What happened to one file of content/posts over a batch of file-system events. */
export interface PostChange {
  /** Relative to the watched folder, with `/` separators (`2024/hello.md`). */
  path: string;
  change: 'added' | 'changed' | 'removed';
}

export interface FileEvent {
  path: string;
  kind: 'add' | 'change' | 'unlink';
}

/**
 * One change per file from the events of a batch, judged by whether the file existed before the batch and exists
 * after it: a save by write-then-rename (unlink and add, or a change) is `changed`, a file that came and went
 * (a temp file that slipped through) is nothing.
 */
export const collapseChanges = (events: readonly FileEvent[]): PostChange[] => {
  const byPath = new Map<string, { before: boolean; after: boolean }>();
  for (const { path, kind } of events) {
    const state = byPath.get(path) ?? { before: kind !== 'add', after: false };
    state.after = kind !== 'unlink';
    byPath.set(path, state);
  }
  return [...byPath.entries()].flatMap(([path, { before, after }]): PostChange[] => {
    if (before && after) return [{ path, change: 'changed' }];
    if (after) return [{ path, change: 'added' }];
    if (before) return [{ path, change: 'removed' }];
    return [];
  });
};

/**
 * Watches `dir` with chokidar (which follows a file through atomic saves, where node:fs `watch` loses it after the
 * first rename) and hands `onBatch` the changes of each quiet period of `debounceMs`, one batch at a time, in order.
 * Editor temp files are never reported. Resolves once the watcher is ready.
 */
export const watchPosts = async (
  dir: string,
  onBatch: (changes: PostChange[]) => Promise<void>,
  options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
): Promise<{ close(): Promise<void> }> => {
  const toRelative = (path: string) => relative(dir, path).split(sep).join('/');
  const watcher = watch(dir, {
    ignoreInitial: true,
    atomic: true,
    awaitWriteFinish: { stabilityThreshold: 120, pollInterval: 30 },
    ignored: (path) => path !== dir && isEditorTempFile(toRelative(path)),
  });
  let pending: FileEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();
  const flush = () => {
    const events = pending;
    pending = [];
    const changes = collapseChanges(events);
    if (changes.length === 0) return;
    queue = queue.then(() => onBatch(changes)).catch((error: unknown) => options.onError?.(error));
  };
  const record = (kind: FileEvent['kind']) => (path: string) => {
    pending.push({ path: toRelative(path), kind });
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 200);
  };
  watcher.on('add', record('add')).on('change', record('change')).on('unlink', record('unlink'));
  watcher.on('error', (error) => options.onError?.(error));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
      await queue;
    },
  };
};
