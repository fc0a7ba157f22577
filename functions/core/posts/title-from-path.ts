import { pageNameOf } from '../slug.ts';

/**
 * The title Jekyll gives a post without one (Utils.titleize_slug): the file name without its date and extension,
 * each hyphen-separated word capitalised the way Ruby's String#capitalize does it (first letter upper, the rest
 * lower). A page bundle (`hello-world/index.md`) is named by its folder.
 * @example titleFromPath('_posts/2019-05-02-my-first-VM.md') // 'My First Vm'
 */
export const titleFromPath = (sourcePath: string): string => {
  const slug = (pageNameOf(sourcePath) ?? 'index').replace(/^\d{2,4}-\d{1,2}-\d{1,2}-/, '').replace(/\.+$/, '');
  return slug
    .split('-')
    .map((word) => {
      const [first = '', ...rest] = Array.from(word);
      return first.toUpperCase() + rest.join('').toLowerCase();
    })
    .join(' ')
    .trim();
};
