import type { DirtyMarks, DueEntries, NameClaims, PostArchive, RenderLock, SourceIndex } from '../app/ports.ts';
import { createDynamoDirtyMarks } from './dynamo-dirty-marks.ts';
import { createDynamoDueEntries } from './dynamo-due-entries.ts';
import { createDynamoNameClaims } from './dynamo-name-claims.ts';
import { createDynamoPostArchive } from './dynamo-post-archive.ts';
import { createDynamoRenderLock } from './dynamo-render-lock.ts';
import { createDynamoSourceIndex } from './dynamo-source-index.ts';
import type { StateTable } from './dynamo-table.ts';

/** The post index's ports, as publishing takes them: each use case still sees only the ones it calls. */
export interface PostIndexPorts {
  sources: SourceIndex;
  claims: NameClaims;
  dirtyMarks: DirtyMarks;
  renderLock: RenderLock;
  archive: PostArchive;
  dueEntries: DueEntries;
}

/**
 * Every port of the post index over one state table, for the places that wire publishing (the deployed functions,
 * the local run, the tests' harness).
 */
export const createDynamoPostIndex = (table: StateTable): PostIndexPorts => ({
  sources: createDynamoSourceIndex(table),
  claims: createDynamoNameClaims(table),
  dirtyMarks: createDynamoDirtyMarks(table),
  renderLock: createDynamoRenderLock(table),
  archive: createDynamoPostArchive(table),
  dueEntries: createDynamoDueEntries(table),
});
