import { parentPort, workerData } from 'node:worker_threads';
import type { SourceFile } from '../core/posts/build-batch.ts';
import { parsePost } from '../core/posts/parse-post.ts';
import { mayHoldLiquid, preloadLiquid } from '../core/posts/templating/jekyll-liquid.ts';
import type { ContentContext } from '../core/posts/templating/template-context.ts';
import type { SiteConfig } from '../core/types.ts';

/** Worker thread body for parseInWorkers: parses its share of the files and posts the results back. */
const { files, site, content } = workerData as { files: SourceFile[]; site: SiteConfig; content: ContentContext };
if (files.some((file) => mayHoldLiquid(file.bytes))) await preloadLiquid();
parentPort?.postMessage(files.map((file) => ({ sourcePath: file.sourcePath, result: parsePost(file, site, content) })));
