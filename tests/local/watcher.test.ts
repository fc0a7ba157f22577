import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEditorTempFile, sourceKindOf } from '../../functions/core/posts/source-kind.ts';
import { collapseChanges, type PostChange, watchPosts } from '../../functions/local/watcher.ts';

/*
 * The real chokidar watcher on a real temporary folder, saving files the ways editors and sed do.
 * Waits are for events to arrive (bounded), never assertions about speed.
 */
let dir: string;
let batches: PostChange[][];
let watcher: { close(): Promise<void> } | undefined;

/** Resolves once the watcher has reported a batch holding a change for `path`, or fails after 8 s. */
const nextChangeOf = async (path: string): Promise<PostChange> => {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const found = batches.flat().find((change) => change.path === path);
    if (found) {
      batches = [];
      return found;
    }
    if (Date.now() > deadline) throw new Error(`no change reported for ${path}; got ${JSON.stringify(batches)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedmail-watch-'));
  await mkdir(join(dir, '2024'));
  await writeFile(join(dir, '2024', 'hello.md'), '---\ntitle: Hello\n---\nFirst.\n');
  batches = [];
  watcher = await watchPosts(dir, async (changes) => void batches.push(changes), { debounceMs: 100 });
});

afterEach(async () => {
  await watcher?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('watchPosts', () => {
  it('reports a new file as added and a deleted one as removed', async () => {
    // Act
    await writeFile(join(dir, '2024', 'new.md'), '---\ntitle: New\n---\nBody.\n');
    const added = await nextChangeOf('2024/new.md');
    await unlink(join(dir, '2024', 'new.md'));
    const removed = await nextChangeOf('2024/new.md');

    // Assess
    expect(added.change).toBe('added');
    expect(removed.change).toBe('removed');
  });

  it('follows a file through three write-then-rename saves, as sed -i makes them, never reporting the temp file', async () => {
    // Prepare
    const seen: PostChange[] = [];

    // Act
    for (const [round, temp] of ['sedAbC123', 'sedXy9Q2z', '.hello.md.tmp'].entries()) {
      await writeFile(join(dir, '2024', temp), `---\ntitle: Hello ${round}\n---\nEdit ${round}.\n`);
      await rename(join(dir, '2024', temp), join(dir, '2024', 'hello.md'));
      seen.push(await nextChangeOf('2024/hello.md'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen.push(...batches.flat());
      batches = [];
    }

    // Assess
    expect(seen).toEqual([
      { path: '2024/hello.md', change: 'changed' },
      { path: '2024/hello.md', change: 'changed' },
      { path: '2024/hello.md', change: 'changed' },
    ]);
  });
});

describe('collapseChanges', () => {
  it('makes one change per file from what existed before and after the batch', () => {
    // Act
    const changes = collapseChanges([
      { path: 'a.md', kind: 'unlink' },
      { path: 'a.md', kind: 'add' },
      { path: 'b.md', kind: 'add' },
      { path: 'b.md', kind: 'change' },
      { path: 'c.md', kind: 'add' },
      { path: 'c.md', kind: 'unlink' },
      { path: 'd.md', kind: 'change' },
      { path: 'd.md', kind: 'unlink' },
    ]);

    // Assess
    expect(changes).toEqual([
      { path: 'a.md', change: 'changed' },
      { path: 'b.md', change: 'added' },
      { path: 'd.md', change: 'removed' },
    ]);
  });
});

describe('isEditorTempFile', () => {
  it.each([
    '2024/sedKTLZag',
    '2024/.hello.md.swp',
    '2024/hello.md.swp',
    '2024/hello.md.swx',
    '2024/hello.md~',
    '2024/#hello.md#',
    '2024/.#hello.md',
    '2024/4913',
    '2024/hello.md.tmp',
    'img/photo.jpg.crdownload',
    'img/photo.jpg.part',
    '2024/hello.md___jb_tmp___',
    '2024/hello.md___jb_old___',
    '.DS_Store',
    '2024/Thumbs.db',
    '.obsidian/workspace.json',
  ])('ignores %s, locally and in the bucket', (path) => {
    // Act
    const temp = isEditorTempFile(path);

    // Assess
    expect(temp).toBe(true);
    expect(sourceKindOf(path)).toBe('ignored');
  });

  it.each([
    '2024/hello.md',
    'img/a.png',
    '2024/x.markdown',
    '_posts/2017-01-18-sed.markdown',
    '2024/sediment.md',
    '2024/4913-words.md',
    '_config.yml',
  ])('publishes %s', (path) => {
    // Act
    const temp = isEditorTempFile(path);

    // Assess
    expect(temp).toBe(false);
  });
});
