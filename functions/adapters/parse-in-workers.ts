import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceFile } from '../core/posts/build-batch.ts';
import { parsePost } from '../core/posts/parse-post.ts';
import { mayHoldLiquid, preloadLiquid } from '../core/posts/templating/jekyll-liquid.ts';
import { type ContentContext, EMPTY_CONTENT } from '../core/posts/templating/template-context.ts';
import type { ParseResult, SiteConfig } from '../core/types.ts';

/** Below this many files per extra thread, starting a worker costs more than it saves. */
const FILES_PER_THREAD = 400;

type Parsed = { sourcePath: string; result: ParseResult };

/**
 * Parses posts on every core: parsing (Markdown, sanitizing) is CPU-bound and per file, so a big folder is split
 * between the main thread and worker threads. Falls back to parsing inline if a worker cannot start (for example
 * under a test runner that loads TypeScript its own way).
 */
export const parseInWorkers = async (
  files: SourceFile[],
  site: SiteConfig,
  content: ContentContext = EMPTY_CONTENT,
): Promise<Parsed[]> => {
  const threads = Math.min(availableParallelism(), Math.floor(files.length / FILES_PER_THREAD));
  const parseHere = (share: SourceFile[]): Parsed[] =>
    share.map((file) => ({ sourcePath: file.sourcePath, result: parsePost(file, site, content) }));
  if (threads < 2) {
    if (files.some((file) => mayHoldLiquid(file.bytes))) await preloadLiquid();
    return parseHere(files);
  }

  const size = Math.ceil(files.length / threads);
  const shares = Array.from({ length: threads }, (_, i) => files.slice(i * size, (i + 1) * size));
  const [own = [], ...others] = shares;
  const fromWorkers = others.map((share) => runWorker(share, site, content).catch(() => parseHere(share)));
  if (own.some((file) => mayHoldLiquid(file.bytes))) await preloadLiquid();
  const mine = parseHere(own);
  return [...mine, ...(await Promise.all(fromWorkers)).flat()];
};

const runWorker = (files: SourceFile[], site: SiteConfig, content: ContentContext): Promise<Parsed[]> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), {
      workerData: { files, site, content },
    });
    worker.once('message', (parsed: Parsed[]) => {
      resolve(parsed);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`parse worker exited with code ${code}`));
    });
  });
