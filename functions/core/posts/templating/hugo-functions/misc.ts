import { posix } from 'node:path';
import { GoStruct, GoTemplateError, isNumber, numberOf, SafeHtml } from '../go/values.ts';
import type { FunctionFamily } from './context.ts';
import { toText } from './convert.ts';
import { toJson } from './transform.ts';

/**
 * The rest of Hugo's functions a shortcode uses: partial (from the site's `layouts/partials/`), templates.Exists,
 * site, hugo.*, path.*, os.FileExists against the uploaded files, debug.Dump, and humanize, pluralize and
 * singularize (English rules).
 */

export const HUGO_VERSION = '0.111.3';

const IRREGULAR: [string, string][] = [
  ['person', 'people'],
  ['man', 'men'],
  ['woman', 'women'],
  ['child', 'children'],
  ['mouse', 'mice'],
  ['goose', 'geese'],
  ['tooth', 'teeth'],
  ['foot', 'feet'],
  ['ox', 'oxen'],
  ['datum', 'data'],
  ['medium', 'media'],
  ['index', 'indices'],
  ['matrix', 'matrices'],
  ['vertex', 'vertices'],
  ['criterion', 'criteria'],
  ['analysis', 'analyses'],
  ['crisis', 'crises'],
  ['thesis', 'theses'],
];
const UNCOUNTABLE = new Set(
  'sheep fish deer series species news information rice equipment money software hardware feedback advice'.split(' '),
);

const PLURAL: [RegExp, string][] = [
  [/(quiz)$/i, '$1zes'],
  [/(matr|vert|ind)(?:ix|ex)$/i, '$1ices'],
  [/(x|ch|ss|sh|zz)$/i, '$1es'],
  [/([^aeiouy]|qu)y$/i, '$1ies'],
  [/(?:([^f])fe|([lr])f)$/i, '$1$2ves'],
  [/sis$/i, 'ses'],
  [/([ti])um$/i, '$1a'],
  [/(buffal|tomat|potat|her)o$/i, '$1oes'],
  [/(bu|campu)s$/i, '$1ses'],
  [/(alias|status)$/i, '$1es'],
  [/(octop|vir)us$/i, '$1i'],
  [/s$/i, 's'],
  [/$/, 's'],
];
const SINGULAR: [RegExp, string][] = [
  [/(quiz)zes$/i, '$1'],
  [/(matr)ices$/i, '$1ix'],
  [/(vert|ind)ices$/i, '$1ex'],
  [/(alias|status)(es)?$/i, '$1'],
  [/(octop|vir)(us|i)$/i, '$1us'],
  [/(bu|campu)ses$/i, '$1s'],
  [/(x|ch|ss|sh|zz)es$/i, '$1'],
  [/([^aeiouy]|qu)ies$/i, '$1y'],
  [/([lr])ves$/i, '$1f'],
  [/([^f])ves$/i, '$1fe'],
  [/(buffal|tomat|potat|her)oes$/i, '$1o'],
  [/(analy|ba|diagno|parenthe|progno|synop|the)ses$/i, '$1sis'],
  [/([ti])a$/i, '$1um'],
  [/ss$/i, 'ss'],
  [/s$/i, ''],
];

const matchCase = (word: string, result: string): string =>
  word[0] && word[0] === word[0].toUpperCase() ? result.charAt(0).toUpperCase() + result.slice(1) : result;

const inflect = (word: string, rules: [RegExp, string][], pairs: [string, string][]): string => {
  const lower = word.toLowerCase();
  if (word === '' || UNCOUNTABLE.has(lower)) return word;
  for (const [from, to] of pairs) if (lower === from) return matchCase(word, to);
  for (const [pattern, replacement] of rules) if (pattern.test(word)) return word.replace(pattern, replacement);
  return word;
};

export const pluralize = (word: string): string => inflect(word, PLURAL, IRREGULAR);
export const singularize = (word: string): string =>
  inflect(
    word,
    SINGULAR,
    IRREGULAR.map(([one, many]) => [many, one]),
  );

const ordinal = (value: number): string => {
  const tens = Math.abs(value) % 100;
  const ones = Math.abs(value) % 10;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ones === 1 ? 'st' : ones === 2 ? 'nd' : ones === 3 ? 'rd' : 'th';
  return `${value}${suffix}`;
};

/** Hugo's humanize: a number as an ordinal (52nd); text with its word breaks made spaces, capitalised once. */
export const humanize = (value: unknown): string => {
  if (isNumber(value)) return ordinal(Math.trunc(numberOf(value)));
  const source = toText(value);
  if (/^-?\d+$/.test(source)) return ordinal(Number(source));
  const words = source
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[-_\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const goPathClean = (value: string): string => {
  if (value === '') return '.';
  const cleaned = posix.normalize(value).replace(/\/$/, '');
  return cleaned === '' ? '/' : cleaned;
};

export const miscFunctions: FunctionFamily = (context) => {
  const partial = (name: unknown, data: unknown = undefined) => {
    const partialName = toText(name);
    const found = context.partial(partialName, data);
    if (found) return found.value;
    context.warn(
      `The partial "${partialName}" was not uploaded (layouts/partials/${partialName.replace(/\.html$/, '')}.html), so it is left out.`,
    );
    return '';
  };
  const site = () => context.siteObject();
  const hugo = new GoStruct('hugo.HugoInfo', {});
  const fileExists = (path: unknown) => {
    const wanted = toText(path).replace(/^\/+/, '');
    const files = context.files ?? [];
    return files.some(
      (file) =>
        file === wanted || `content/${file}` === wanted || `static/${file}` === wanted || file.startsWith(`${wanted}/`),
    );
  };
  const pathSplit = (value: unknown) => {
    const text = toText(value);
    const slash = text.lastIndexOf('/');
    return [text.slice(0, slash + 1), text.slice(slash + 1)];
  };
  return {
    partial,
    partialCached: partial,
    'partials.Include': partial,
    'partials.IncludeCached': partial,
    'templates.Exists': (name: unknown) => {
      const path = toText(name);
      return path.startsWith('partials/') && context.hasPartial(path.slice('partials/'.length));
    },
    site,
    'hugo.Version': () => HUGO_VERSION,
    'hugo.Environment': () => 'production',
    'hugo.IsProduction': () => true,
    'hugo.IsExtended': () => true,
    'hugo.IsServer': () => false,
    'hugo.Generator': () => new SafeHtml(`<meta name="generator" content="Hugo ${HUGO_VERSION}">`),
    'hugo.CommitHash': () => '',
    'hugo.BuildDate': () => '',
    hugo: () => hugo,
    'path.Base': (value: unknown) => {
      const text = toText(value).replace(/\/+$/, '');
      return text === '' ? (toText(value).startsWith('/') ? '/' : '.') : posix.basename(text);
    },
    'path.BaseName': (value: unknown) => {
      const base = posix.basename(toText(value));
      return base.slice(0, base.length - posix.extname(base).length);
    },
    'path.Clean': (value: unknown) => goPathClean(toText(value)),
    'path.Dir': (value: unknown) => goPathClean(pathSplit(value)[0] ?? ''),
    'path.Ext': (value: unknown) => posix.extname(toText(value)),
    'path.Join': (...parts: unknown[]) => {
      const texts = parts.flatMap((part) => (Array.isArray(part) ? part : [part])).map(toText);
      const joined = texts.filter((text) => text !== '').join('/');
      return joined === '' ? '' : goPathClean(joined);
    },
    'path.Split': pathSplit,
    'os.FileExists': fileExists,
    fileExists,
    'os.Getenv': () => '',
    getenv: () => '',
    'debug.Dump': (value: unknown) => toJson(value, { indent: '  ' }),
    humanize,
    pluralize: (value: unknown) => pluralize(toText(value)),
    singularize: (value: unknown) => singularize(toText(value)),
    'inflect.Humanize': humanize,
    'inflect.Pluralize': (value: unknown) => pluralize(toText(value)),
    'inflect.Singularize': (value: unknown) => singularize(toText(value)),
  };
};

/**
 * Hugo functions that exist but cannot run here, each with the reason: a template may name them in a branch it
 * never takes (as Hugo's own themes do); reaching one refuses the post with this reason.
 */
const UNSUPPORTED_REASONS: Record<string, string> = {
  network: 'it reads from the network, which publishing here never does',
  assets:
    'it needs the site’s assets pipeline (assets/ folder, Sass, PostCSS, bundling), which this publisher does not run',
  images: 'it needs Hugo’s image processing, which this publisher does not run',
  content: 'it reads the content of files, which templates here cannot see',
  other: 'it is not implemented here',
};

const UNSUPPORTED_GROUPS: Record<keyof typeof UNSUPPORTED_REASONS, string> = {
  network: 'getJSON getCSV data.GetJSON data.GetCSV resources.GetRemote',
  assets:
    'resources.Get resources.GetMatch resources.Match resources.ByType resources.Concat resources.FromString ' +
    'resources.ExecuteAsTemplate resources.Fingerprint resources.Minify resources.PostCSS resources.ToCSS ' +
    'resources.Babel resources.PostProcess resources.Copy toCSS postCSS minify fingerprint babel js.Build css.Sass css.PostCSS',
  images:
    'images.Filter images.Config images.Brightness images.ColorBalance images.Colorize images.Contrast images.Gamma ' +
    'images.GaussianBlur images.Grayscale images.Hue images.Invert images.Opacity images.Overlay images.Pixelate ' +
    'images.Saturation images.Sepia images.Sigmoid images.Text images.UnsharpMask images.Process imageConfig',
  content: 'readDir readFile os.ReadDir os.ReadFile os.Stat',
  other:
    'time.ParseDuration time.Duration duration transform.Remarshal transform.ToMath openapi3.Unmarshal diagrams.Goat ' +
    'crypto.HMAC hmac lang.Merge collections.Group collections.KeyVals group keyVals echoParam collections.EchoParam ' +
    'math.Rand',
};

export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map(
  Object.entries(UNSUPPORTED_GROUPS).flatMap(([group, names]) =>
    names.split(' ').map((name): [string, string] => [name, UNSUPPORTED_REASONS[group] ?? '']),
  ),
);

export const unsupported = (name: string, reason: string) => (): never => {
  throw new GoTemplateError(`the function "${name}" cannot run here: ${reason}`);
};
