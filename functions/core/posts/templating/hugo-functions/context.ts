import type { TemplateBudget, TemplateFunction } from '../go/execute.ts';
import type { Zone } from '../go/time.ts';

/** What Hugo's functions may know about the post and site they run for; everything else they are given. */
export interface FunctionContext {
  budget: TemplateBudget;
  /** Reports something the author should know; the caller keeps one of each message per post. */
  warn(message: string): void;
  site: {
    baseUrl: string;
    /** Hugo's language of the site (`en`), for T and lang.*. */
    language: string;
    zone: Zone;
  };
  /**
   * What `now` is. Core reads no clock: a post renders the same on every build, so `now` is the post's own date
   * (a © year shows the year it was written).
   */
  now: Date;
  /** Every uploaded file (relative to the posts root), when known; for os.FileExists. */
  files?: readonly string[];
  /** The post's page (for ref and relref's first argument; unused). */
  markdown(source: string, block: boolean): string;
  /** The public URL of another post (ref, relref), undefined when no post has that name. */
  resolveReference(target: string): string | undefined;
  /** The site's translation of `key` for `data` (T, i18n), or undefined when the site has none. */
  translate(key: string, data: unknown): string | undefined;
  /** Runs the partial template `name` (`layouts/partials/<name>`); undefined when it was not uploaded. */
  partial(name: string, data: unknown): { value: unknown } | undefined;
  /** Whether a partial exists (templates.Exists). */
  hasPartial(name: string): boolean;
  /** The Site object (`site`, `.Site`). */
  siteObject(): unknown;
  /** Another template function, by name (apply). */
  lookup(name: string): TemplateFunction | undefined;
}

export type FunctionFamily = (context: FunctionContext) => Record<string, TemplateFunction>;
