// Just enough typing for the markdown-it plugins that ship none.
declare module 'markdown-it-deflist' {
  import type MarkdownIt from 'markdown-it';

  const plugin: MarkdownIt.PluginSimple;
  export default plugin;
}

declare module 'markdown-it-abbr' {
  import type MarkdownIt from 'markdown-it';

  const plugin: MarkdownIt.PluginSimple;
  export default plugin;
}
