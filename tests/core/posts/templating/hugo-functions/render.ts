import { renderMarkdownify } from '../../../../../functions/core/posts/markdown.ts';
import { executeTemplate, TemplateBudget } from '../../../../../functions/core/posts/templating/go/execute.ts';
import { parseGoTemplate } from '../../../../../functions/core/posts/templating/go/parse.ts';
import { GoStruct } from '../../../../../functions/core/posts/templating/go/values.ts';
import type { FunctionContext } from '../../../../../functions/core/posts/templating/hugo-functions/context.ts';
import {
  createHugoFunctions,
  hugoFunctionNames,
} from '../../../../../functions/core/posts/templating/hugo-functions/index.ts';

/** Runs a template with Hugo's functions and a fixed small site, for the function family tests. */
export const renderWithFunctions = (
  source: string,
  data: unknown = {},
  overrides: Partial<FunctionContext> = {},
): { text: string; warnings: string[] } => {
  const warnings: string[] = [];
  const budget = overrides.budget ?? new TemplateBudget();
  const context: FunctionContext = {
    budget,
    warn: (message) => warnings.push(message),
    site: { baseUrl: 'https://notes.example/blog/', language: 'en', zone: 'UTC' },
    now: new Date('2024-03-05T10:20:30Z'),
    files: ['2024/trip/index.md', '2024/trip/photo.jpg'],
    markdown: (text) => renderMarkdownify(text),
    resolveReference: (target) => (target === 'other.md' ? 'https://notes.example/blog/posts/other/' : undefined),
    translate: (key) => (key === 'greeting' ? 'Hello' : undefined),
    partial: (name, value) =>
      name === 'card.html' || name === 'card' ? { value: `card:${String(value)}` } : undefined,
    hasPartial: (name) => name === 'card.html',
    siteObject: () => new GoStruct('page.Site', { Title: 'Notes' }),
    lookup: (name) => functions[name],
    ...overrides,
  };
  const functions = createHugoFunctions(context);
  const text = executeTemplate(parseGoTemplate(source, hugoFunctionNames()), data, { functions, budget }).text;
  return { text, warnings };
};
