import { sourceKindOf } from '../source-kind.ts';
import { GoNil, GoStruct, GoTemplateError } from './go/values.ts';

/**
 * `.Page.Resources` for a Hugo page bundle: the files uploaded in the folder of an `index.md` post (a post on its own,
 * `hello.md`, has none), with Hugo's lookups (GetMatch and Match by glob, ByType, Get) and each resource's name,
 * media type and public URL (files beside a post are published at the post's source folder, `posts/<folder>/`).
 * Image processing (Resize, Fit, Fill, Crop, Filter, …) needs Hugo's image pipeline: each gives the original image,
 * Width and Height are 0, and `onImageProcessing` is told, so the author gets one warning.
 */

const MEDIA_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  json: 'application/json',
  xml: 'application/xml',
  zip: 'application/zip',
  wasm: 'application/wasm',
  toml: 'application/toml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  js: 'text/javascript',
  css: 'text/css',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  mp4: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

const IMAGE_METHODS = ['Resize', 'Fit', 'Fill', 'Crop', 'Filter', 'Process'];

export interface ResourceOptions {
  /** The post's source path (`2024/trip/index.md`). */
  sourcePath: string;
  /** Every uploaded file, relative to the posts root. */
  files: readonly string[];
  /** The public URL of the post's source folder (`https://a.example/posts/2024/trip/`). */
  folderUrl: string;
  /** Called when a template asks for image processing (method name), or for content it cannot have. */
  onUnavailable(what: 'image' | 'content', method: string): void;
}

/** Gobwas-style glob as Hugo matches resource names: `*` within a folder, `**` across, `?`, `[…]`, `{a,b}`. */
export const globToRegExp = (glob: string): RegExp => {
  let out = '';
  let braces = 0;
  for (let at = 0; at < glob.length; at++) {
    const char = glob[at] as string;
    if (char === '*') {
      if (glob[at + 1] === '*') {
        out += '.*';
        at++;
      } else out += '[^/]*';
    } else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', at + 1);
      if (end === -1) throw new GoTemplateError(`the pattern "${glob}" has an unclosed [`);
      const inner = glob
        .slice(at + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      out += `[${inner}]`;
      at = end;
    } else if (char === '{') {
      braces++;
      out += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (char === ',' && braces > 0) out += '|';
    else if (char === '\\' && at + 1 < glob.length) {
      out += (glob[++at] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else out += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  if (braces > 0) throw new GoTemplateError(`the pattern "${glob}" has an unclosed {`);
  return new RegExp(`^${out}$`, 'i');
};

/** The resources of the post's bundle, as Hugo's `.Resources` (a list, with its lookup methods). */
export const pageResources = (options: ResourceOptions): unknown[] => {
  const { sourcePath } = options;
  const isBundle = /(^|\/)index\.(md|markdown)$/i.test(sourcePath);
  const folder = sourcePath.slice(0, sourcePath.lastIndexOf('/') + 1);
  const names = isBundle
    ? options.files
        .filter((file) => file.startsWith(folder) && file !== sourcePath && sourceKindOf(file) === 'asset')
        .map((file) => file.slice(folder.length))
    : [];
  const resources = names.map((name) => resource(name, options)).sort((a, b) => compareResources(a, b));
  const list = resources.map((entry) => entry.object);
  const glob = (pattern: unknown) => {
    const regexp = globToRegExp(String(pattern ?? '').toLowerCase());
    return resources.filter((entry) => regexp.test(entry.name.toLowerCase())).map((entry) => entry.object);
  };
  const none = (why: string) => new GoNil('resource.Resource', '', why);
  const methods: Record<string, (...args: unknown[]) => unknown> = {
    GetMatch: (pattern) => glob(pattern)[0] ?? none(`no resource of the page matches "${String(pattern)}"`),
    Match: (pattern) => glob(pattern),
    ByType: (type) => resources.filter((entry) => entry.type === String(type)).map((entry) => entry.object),
    Get: (name) =>
      resources.find((entry) => entry.name.toLowerCase() === String(name).toLowerCase())?.object ??
      none(`the page has no resource "${String(name)}"`),
  };
  for (const [name, method] of Object.entries(methods)) {
    Object.defineProperty(list, name, { value: method, enumerable: false });
  }
  return list;
};

type Entry = { name: string; type: string; object: GoStruct };

const compareResources = (a: Entry, b: Entry): number =>
  a.type < b.type ? -1 : a.type > b.type ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const resource = (name: string, options: ResourceOptions): Entry => {
  const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const mediaType = MEDIA_TYPES[extension] ?? 'application/octet-stream';
  const [mainType = 'application', subType = 'octet-stream'] = mediaType.split('/');
  const url = new URL(name.split('/').map(encodeURIComponent).join('/'), options.folderUrl).href;
  const media = new GoStruct(
    'media.Type',
    {
      Type: mediaType,
      MainType: mainType,
      SubType: subType.replace(/\+.*$/, ''),
      Suffixes: [extension],
      String: () => mediaType,
    },
    () => mediaType,
  );
  const members: Record<string, unknown> = {
    Name: name,
    Title: name,
    RelPermalink: url,
    Permalink: url,
    MediaType: media,
    ResourceType: mainType,
    Params: {},
    Data: {},
    Key: name,
    Content: () => {
      options.onUnavailable(mainType === 'image' ? 'image' : 'content', 'Content');
      return '';
    },
  };
  const object: GoStruct = new GoStruct('resource.Resource', members, () => name);
  if (mainType === 'image') {
    for (const method of IMAGE_METHODS) {
      members[method] = () => {
        options.onUnavailable('image', method);
        return object;
      };
    }
    members.Width = () => {
      options.onUnavailable('image', 'Width');
      return 0;
    };
    members.Height = () => {
      options.onUnavailable('image', 'Height');
      return 0;
    };
    members.Exif = () => undefined;
    members.Colors = () => [];
  }
  return { name, type: mainType, object };
};
