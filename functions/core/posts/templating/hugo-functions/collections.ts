import { seededRandom } from '../../../seeded-random.ts';
import { memberOf } from '../go/execute.ts';
import { formatValue, goTypeName } from '../go/format.ts';
import { goRegExp } from '../go/regexp.ts';
import { GoTime } from '../go/time.ts';
import {
  GoNil,
  GoStruct,
  GoTemplateError,
  isFloat,
  isMap,
  isNumber,
  mapEntries,
  numberOf,
  SafeHtml,
} from '../go/values.ts';
import type { FunctionContext, FunctionFamily } from './context.ts';
import { goCompare, goEqual, readPath, toInt, toList, toText } from './convert.ts';
import { mathFunctions } from './math.ts';

/**
 * Hugo's collections namespace: building lists and maps (slice, dict, append, merge, querify, seq), picking from
 * them (first, last, after, index, where, in, isset), and set operations (uniq, union, intersect, complement,
 * symdiff), sort and shuffle. Every function charges the budget for the elements it goes through, so a huge list
 * is refused rather than built. `shuffle` is a fixed permutation of the list: the same post renders the same.
 */

/** Hugo's seq refuses more than 2000 numbers. */
const SEQ_LIMIT = 2000;

/** `in`, `intersect`, `union`, `uniq`: numbers equal across int and float, everything else as eq. */
const sameItem = (a: unknown, b: unknown): boolean =>
  isNumber(a) && isNumber(b) ? numberOf(a) === numberOf(b) : goEqual(a, b);

const copyMap = (value: Record<string, unknown> | Map<unknown, unknown>): Record<string, unknown> =>
  Object.fromEntries(mapEntries(value));

const deepMerge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> => {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existingKey = Object.keys(out).find((candidate) => candidate.toLowerCase() === key.toLowerCase()) ?? key;
    const existing = out[existingKey];
    out[existingKey] = isMap(existing) && isMap(value) ? deepMerge(copyMap(existing), copyMap(value)) : value;
  }
  return out;
};

/** Encodes as Go's url.QueryEscape: spaces as +, everything but unreserved characters escaped. */
export const queryEscape = (value: string): string =>
  encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

const hashText = (value: string): number => {
  let hash = 2166136261;
  for (let index = 0; index < value.length; index++) hash = Math.imul(hash ^ value.charCodeAt(index), 16777619);
  return hash >>> 0;
};

const collator = new Intl.Collator('en');

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Sort's ordering: text by the language's collation (a A b B), text that reads as a number and the rest as lt orders it. */
const sortOrder = (a: unknown, b: unknown): number => {
  const isWords = (value: unknown) =>
    (typeof value === 'string' || value instanceof SafeHtml) && !NUMERIC.test(toText(value));
  if (isWords(a) && isWords(b)) return collator.compare(toText(a), toText(b));
  return goCompare(a, b);
};

/** Where's test of one element's value `value` against `match` with `operator`. */
const matches = (value: unknown, operator: string, match: unknown): boolean => {
  const isNil = (item: unknown) => item === undefined || item === null || item instanceof GoNil;
  switch (operator) {
    case '':
    case '=':
    case '==':
    case 'eq':
      return isNil(value) || isNil(match) ? isNil(value) && isNil(match) : goEqual(value, match);
    case '!=':
    case '<>':
    case 'ne':
      return !matches(value, '=', match);
    case '>=':
    case 'ge':
    case '>':
    case 'gt':
    case '<':
    case 'lt':
    case '<=':
    case 'le': {
      const comparable =
        (isNumber(value) && isNumber(match) && isFloat(value) === isFloat(match)) ||
        (typeof value === 'string' && typeof match === 'string') ||
        ((value instanceof GoTime || value instanceof Date) && (match instanceof GoTime || match instanceof Date));
      if (!comparable) return false;
      const order = goCompare(value, match);
      if (operator === '>=' || operator === 'ge') return order >= 0;
      if (operator === '>' || operator === 'gt') return order > 0;
      if (operator === '<' || operator === 'lt') return order < 0;
      return order <= 0;
    }
    case 'in':
    case 'not in': {
      const found = Array.isArray(match)
        ? match.some((item) => sameItem(item, value))
        : typeof match === 'string' && toText(match).includes(toText(value));
      return operator === 'in' ? found : !found;
    }
    case 'intersect':
      return Array.isArray(value) && Array.isArray(match) && value.some((item) => match.some((m) => sameItem(item, m)));
    case 'like':
      return goRegExp(toText(match)).test(toText(value));
    default:
      throw new GoTemplateError(`${operator} is not a valid where operator`);
  }
};

/** A Scratch (newScratch, .Scratch, .Page.Scratch): a map to set, add to and read while the template runs. */
export const createScratch = (): GoStruct => {
  const values: Record<string, unknown> = {};
  const add = mathFunctions({} as FunctionContext).add as (a: unknown, b: unknown) => unknown;
  return new GoStruct(
    'maps.Scratch',
    {
      Set: (key: unknown, value: unknown) => {
        values[toText(key)] = value;
        return '';
      },
      Get: (key: unknown) => values[toText(key)],
      Add: (key: unknown, addend: unknown) => {
        const name = toText(key);
        const existing = values[name];
        if (existing === undefined) values[name] = addend;
        else if (Array.isArray(existing)) values[name] = [...existing, ...(Array.isArray(addend) ? addend : [addend])];
        else values[name] = add(existing, addend);
        return '';
      },
      SetInMap: (key: unknown, mapKey: unknown, value: unknown) => {
        const name = toText(key);
        const existing = values[name];
        values[name] = { ...(isMap(existing) ? copyMap(existing) : {}), [toText(mapKey)]: value };
        return '';
      },
      DeleteInMap: (key: unknown, mapKey: unknown) => {
        const existing = values[toText(key)];
        if (isMap(existing) && !(existing instanceof Map)) delete existing[toText(mapKey)];
        return '';
      },
      Delete: (key: unknown) => {
        delete values[toText(key)];
        return '';
      },
      GetSortedMapValues: (key: unknown) => {
        const existing = values[toText(key)];
        return isMap(existing) ? mapEntries(existing).map(([, value]) => value) : undefined;
      },
      Values: () => values,
    },
    () => formatValue(values),
  );
};

export const collectionsFunctions: FunctionFamily = (context) => {
  const charge = (count: number) => context.budget.step(count);
  const member = (receiver: unknown, name: string) => memberOf(receiver, name);

  const after = (index: unknown, list: unknown) => {
    if (list === undefined || list === null) throw new GoTemplateError('sequence must be provided');
    const at = toInt(index);
    if (at < 0) throw new GoTemplateError('sequence bounds out of range');
    const items = toList(list, 'after');
    charge(items.length);
    return items.slice(at);
  };
  const first = (limit: unknown, list: unknown) => {
    if (list === undefined || list === null) throw new GoTemplateError('sequence must be provided');
    const count = toInt(limit);
    if (count < 0) throw new GoTemplateError('sequence length must be non-negative');
    if (typeof list === 'string') return Array.from(list).slice(0, count).join('');
    const items = toList(list, 'first');
    return items.slice(0, count);
  };
  const last = (limit: unknown, list: unknown) => {
    if (list === undefined || list === null) throw new GoTemplateError('sequence must be provided');
    const count = toInt(limit);
    if (count < 0) throw new GoTemplateError('sequence length must be non-negative');
    const items = toList(list, 'last');
    return count === 0 ? [] : items.slice(-count);
  };
  const append = (...args: unknown[]) => {
    if (args.length < 2) throw new GoTemplateError('need at least 2 arguments to append');
    const target = args.at(-1);
    const items = args.slice(0, -1);
    const base = target === undefined || target === null ? [] : toList(target, 'append');
    const added = items.length === 1 && Array.isArray(items[0]) ? (items[0] as unknown[]) : items;
    context.budget.size(base.length + added.length, 'the list append made');
    return [...base, ...added];
  };
  const dict = (...pairs: unknown[]) => {
    if (pairs.length % 2 !== 0) throw new GoTemplateError('invalid dictionary call');
    const root: Record<string, unknown> = {};
    for (let index = 0; index < pairs.length; index += 2) {
      const key = pairs[index];
      const path = Array.isArray(key) ? key.map(toText) : [toText(key)];
      if (!Array.isArray(key) && typeof key !== 'string' && !(key instanceof SafeHtml)) {
        throw new GoTemplateError(`dictionary keys must be strings, got ${goTypeName(key)}`);
      }
      let target = root;
      path.slice(0, -1).forEach((segment) => {
        const next = target[segment];
        target[segment] = isMap(next) ? next : {};
        target = target[segment] as Record<string, unknown>;
      });
      target[path.at(-1) ?? ''] = pairs[index + 1];
    }
    charge(pairs.length);
    return root;
  };
  const delimit = (list: unknown, separator: unknown, lastSeparator: unknown = undefined) => {
    const items = isMap(list) ? mapEntries(list).map(([, value]) => value) : toList(list, 'delimit');
    charge(items.length);
    const texts = items.map((item) => toText(item));
    const sep = toText(separator);
    if (lastSeparator !== undefined && texts.length > 1) {
      return new SafeHtml(`${texts.slice(0, -1).join(sep)}${toText(lastSeparator)}${texts.at(-1)}`);
    }
    return new SafeHtml(texts.join(sep));
  };
  const inList = (list: unknown, item: unknown) => {
    if (list === undefined || list === null) return false;
    if (typeof list === 'string' || list instanceof SafeHtml) return toText(list).includes(toText(item));
    const items = toList(list, 'in');
    charge(items.length);
    return items.some((entry) => sameItem(entry, item));
  };
  const index = (value: unknown, ...keys: unknown[]) => {
    const path = keys.length === 1 && Array.isArray(keys[0]) ? (keys[0] as unknown[]) : keys;
    return path.reduce<unknown>((current, key) => {
      if (current === undefined || current === null) return undefined;
      if (Array.isArray(current) || typeof current === 'string') {
        if (!isNumber(key)) throw new GoTemplateError(`cannot index slice/array with type ${goTypeName(key)}`);
        return Array.isArray(current) ? current[numberOf(key)] : current.charCodeAt(numberOf(key));
      }
      if (isMap(current)) return member(current, toText(key));
      throw new GoTemplateError(`can't index item of type ${goTypeName(current)}`);
    }, value);
  };
  const isset = (collection: unknown, key: unknown) => {
    if (Array.isArray(collection)) return isNumber(key) && numberOf(key) >= 0 && numberOf(key) < collection.length;
    if (collection instanceof Map) return collection.has(toText(key));
    if (isMap(collection)) {
      const name = toText(key);
      return Object.keys(collection).some((candidate) => candidate.toLowerCase() === name.toLowerCase());
    }
    return false;
  };
  const intersect = (a: unknown, b: unknown) => {
    if (a === undefined || a === null || b === undefined || b === null) return [];
    const left = toList(a, 'intersect');
    const right = toList(b, 'intersect');
    charge(left.length * Math.max(1, right.length));
    const out: unknown[] = [];
    for (const item of left) {
      if (right.some((other) => sameItem(item, other)) && !out.some((kept) => sameItem(kept, item))) out.push(item);
    }
    return out;
  };
  const union = (a: unknown, b: unknown) => {
    const left = toList(a, 'union');
    const right = toList(b, 'union');
    charge((left.length + right.length) ** 2 / 64 + left.length + right.length);
    const out: unknown[] = [];
    for (const item of [...left, ...right]) if (!out.some((kept) => sameItem(kept, item))) out.push(item);
    return out;
  };
  const uniq = (list: unknown) => {
    const items = toList(list, 'uniq');
    charge(items.length ** 2 / 64 + items.length);
    const out: unknown[] = [];
    for (const item of items) if (!out.some((kept) => goEqual(kept, item))) out.push(item);
    return out;
  };
  const complement = (...lists: unknown[]) => {
    if (lists.length < 2) throw new GoTemplateError('complement needs at least two arguments');
    const universe = toList(lists.at(-1), 'complement');
    const others = lists.slice(0, -1).flatMap((list) => toList(list, 'complement'));
    charge(universe.length * Math.max(1, others.length));
    return universe.filter((item) => !others.some((other) => sameItem(item, other)));
  };
  const symdiff = (a: unknown, b: unknown) => {
    const left = toList(a, 'symdiff');
    const right = toList(b, 'symdiff');
    charge(left.length * Math.max(1, right.length) * 2);
    return [
      ...right.filter((item) => !left.some((other) => sameItem(item, other))),
      ...left.filter((item) => !right.some((other) => sameItem(item, other))),
    ];
  };
  const merge = (...maps: unknown[]) => {
    if (maps.length < 2) throw new GoTemplateError('merge requires at least two maps');
    return maps.reduce<Record<string, unknown>>((merged, next) => {
      if (!isMap(next)) throw new GoTemplateError(`merge: ${goTypeName(next)} is not a map`);
      charge(Object.keys(next).length);
      return deepMerge(merged, copyMap(next));
    }, {});
  };
  const querify = (...args: unknown[]) => {
    const pairs = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (pairs.length % 2 !== 0) throw new GoTemplateError('querify requires an even number of arguments');
    const entries: [string, string][] = [];
    for (let at = 0; at < pairs.length; at += 2) {
      const key = pairs[at];
      if (typeof key !== 'string') throw new GoTemplateError('query keys must be strings');
      entries.push([key, toText(pairs[at + 1])]);
    }
    charge(entries.length);
    return entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${queryEscape(key)}=${queryEscape(value)}`)
      .join('&');
  };
  const seq = (...args: unknown[]) => {
    if (args.length < 1 || args.length > 3) throw new GoTemplateError('invalid number of arguments to Seq');
    const numbers = args.map(toInt);
    let [start = 0] = numbers;
    let step = 1;
    let end: number;
    if (numbers.length === 1) {
      end = start;
      if (end === 0) return [];
      if (end > 0) start = 1;
      else {
        start = -1;
        step = -1;
      }
    } else if (numbers.length === 2) {
      end = numbers[1] as number;
      if (end < start) step = -1;
    } else {
      step = numbers[1] as number;
      end = numbers[2] as number;
      if (step === 0) throw new GoTemplateError("'increment' must not be 0");
      if (start < end && step < 0) throw new GoTemplateError("'increment' must be > 0");
      if (start > end && step > 0) throw new GoTemplateError("'increment' must be < 0");
    }
    const size = Math.trunc((end - start) / step) + 1;
    if (end < -100000 || size <= 0 || size > SEQ_LIMIT) throw new GoTemplateError('size of result exceeds limit');
    charge(size);
    return Array.from({ length: size }, (_, i) => start + i * step);
  };
  const shuffle = (list: unknown) => {
    const items = [...toList(list, 'shuffle')];
    charge(items.length);
    const random = seededRandom(hashText(formatValue(items)));
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  const sort = (list: unknown, key: unknown = undefined, order: unknown = undefined) => {
    if (list === undefined || list === null) throw new GoTemplateError('sequence must be provided');
    const direction = order === undefined ? 'asc' : toText(order).toLowerCase();
    const field = key === undefined ? undefined : toText(key);
    let rows: { sortBy: unknown; value: unknown }[];
    if (isMap(list)) {
      rows = mapEntries(list).map(([mapKey, value]) => ({
        sortBy: field === undefined ? mapKey : field === 'value' ? value : readPath(value, field, member),
        value,
      }));
    } else {
      rows = toList(list, 'sort').map((value) => ({
        sortBy: field === undefined || field === 'value' ? value : readPath(value, field, member),
        value,
      }));
    }
    charge(rows.length * Math.max(1, Math.ceil(Math.log2(rows.length + 1))));
    rows.sort((a, b) => sortOrder(a.sortBy, b.sortBy) * (direction === 'desc' ? -1 : 1));
    return rows.map((row) => row.value);
  };
  const where = (list: unknown, key: unknown, ...args: unknown[]) => {
    if (args.length === 0 || args.length > 2) throw new GoTemplateError("can't use where without a value to match");
    const [operator, match] = args.length === 1 ? ['=', args[0]] : [toText(args[0]).toLowerCase(), args[1]];
    const path = toText(key);
    const items = isMap(list) ? mapEntries(list).map(([, value]) => value) : toList(list, 'where');
    charge(items.length);
    // Hugo's where reads a field of each element; the element itself (".") is not one.
    if (path.replace(/^\./, '') === '') return [];
    return items.filter((item) => matches(readPath(item, path, member), operator, match));
  };
  const apply = (list: unknown, name: unknown, ...params: unknown[]) => {
    const fn = context.lookup(toText(name));
    if (!fn) throw new GoTemplateError(`can't find function ${toText(name)}`);
    const items = toList(list, 'apply');
    charge(items.length);
    return items.map((item) => fn(...params.map((param) => (param === '.' ? item : param))));
  };
  const reverse = (list: unknown) => [...toList(list, 'reverse')].reverse();
  const slice = (...items: unknown[]) => items;
  const newScratch = () => createScratch();
  return {
    after,
    append,
    apply,
    complement,
    delimit,
    dict,
    first,
    in: inList,
    index,
    intersect,
    isset,
    last,
    merge,
    newScratch,
    querify,
    seq,
    shuffle,
    slice,
    sort,
    symdiff,
    union,
    uniq,
    where,
    len: (value: unknown) => {
      if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
      if (value instanceof SafeHtml) return Buffer.byteLength(value.html, 'utf8');
      if (Array.isArray(value)) return value.length;
      if (value instanceof Map) return value.size;
      if (isMap(value)) return Object.keys(value).length;
      if (value === undefined || value === null) throw new GoTemplateError('len of nil pointer');
      throw new GoTemplateError(`len of type ${goTypeName(value)}`);
    },
    'collections.After': after,
    'collections.Append': append,
    'collections.Apply': apply,
    'collections.Complement': complement,
    'collections.Delimit': delimit,
    'collections.Dictionary': dict,
    'collections.First': first,
    'collections.In': inList,
    'collections.Index': index,
    'collections.Intersect': intersect,
    'collections.IsSet': isset,
    'collections.Last': last,
    'collections.Merge': merge,
    'collections.NewScratch': newScratch,
    'collections.Querify': querify,
    'collections.Reverse': reverse,
    'collections.Seq': seq,
    'collections.Shuffle': shuffle,
    'collections.Slice': slice,
    'collections.Sort': sort,
    'collections.SymDiff': symdiff,
    'collections.Union': union,
    'collections.Uniq': uniq,
    'collections.Where': where,
    'reflect.IsMap': (value: unknown) => isMap(value),
    'reflect.IsSlice': (value: unknown) => Array.isArray(value),
  };
};
