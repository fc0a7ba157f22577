/*
 * Fault injection and interleaving for the sweeps (tests/app/digest-sweeps.test.ts,
 * tests/handlers/publish-sweeps.test.ts). Both work by wrapping the ports the code under test is given: nothing in
 * functions/ knows about them.
 *
 * - A FaultInjector makes a run die at one chosen port call (before it, or after it took effect): from then on every
 *   call of that run fails, as nothing runs in a Lambda that has died. A sweep runs a scenario once cleanly to learn
 *   its calls, then once per crash point, each time followed by the retry AWS would make.
 * - An Interleaver runs several workers one port call at a time, in the order a policy picks, so that two publishers
 *   or two senders overlap at exactly the steps a test names.
 */

export { seededRandom } from '../../functions/core/seeded-random.ts';

/** Thrown by injected faults: stands for the Lambda dying at that point (nothing after it runs). */
export class Crash extends Error {
  override name = 'Crash';
}

/** Where a run dies: before its `at`-th port call (counted from 0), or after that call took effect. */
export interface CrashPoint {
  at: number;
  when: 'before' | 'after';
}

/**
 * Port methods that only read. Dying after one of them is the same as dying before the next call, so sweeps skip
 * those points; any method not named here is treated as a write (an extra crash point at worst).
 */
const READS = new Set([
  'get',
  'getSource',
  'getSources',
  'getClaim',
  'listDirty',
  'getSiteState',
  'newestPosts',
  'postsInMonth',
  'listMonths',
  'listDue',
  'readSource',
  'listSources',
  'sourceExists',
  'list',
  'listQueued',
  'getDigest',
  'batchTallies',
  'listDigests',
  'listUnfinished',
  'listDeliveries',
]);

/** One port call as a run made it: `sources.putSource`. */
export interface CallRecord {
  name: string;
  write: boolean;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** Port methods that return an async iterable (a page per step): each page read is a call of its own. */
const PAGED = new Set(['list', 'listDeliveries']);

/**
 * Wraps every method of `port` with `around`, leaving other properties (a store's `shards`) as they are. A paged
 * method's pages go through `around` one at a time, as each is a request of its own.
 */
const wrapMethods = <T extends object>(port: T, around: (method: string, call: () => unknown) => unknown): T =>
  new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = (...args: unknown[]) => (value as AnyFunction).apply(target, args);
      if (!PAGED.has(property)) return (...args: unknown[]) => around(property, () => method(...args));
      return (...args: unknown[]): AsyncIterable<unknown> => ({
        [Symbol.asyncIterator]: () => {
          const pages = (method(...args) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
          return { next: () => around(property, () => pages.next()) as Promise<IteratorResult<unknown>> };
        },
      });
    },
  });

export class FaultInjector {
  /** The calls of the current run, in order. */
  readonly calls: CallRecord[] = [];
  private point: CrashPoint | undefined;
  private dead = false;

  /** Starts a run that dies at `point` (or a clean one, without). */
  arm(point?: CrashPoint): void {
    this.point = point;
    this.dead = false;
    this.calls.length = 0;
  }

  /**
   * Starts the next invocation of the same run: a new Lambda, alive, while the count of calls and the crash point
   * carry on (a point already passed does not fire again).
   */
  nextInvocation(): void {
    this.dead = false;
  }

  /** Whether the current invocation died. */
  get crashed(): boolean {
    return this.dead;
  }

  /** `port`, with every call counted and the armed crash applied; `name` prefixes the call names. */
  wrap<T extends object>(name: string, port: T): T {
    return wrapMethods(port, (method, call) => {
      const index = this.calls.length;
      this.calls.push({ name: `${name}.${method}`, write: !READS.has(method) });
      if (this.dead) throw new Crash(`call ${index} (${name}.${method}) after the run died`);
      if (this.point?.at === index && this.point.when === 'before') {
        this.dead = true;
        throw new Crash(`died before call ${index} (${name}.${method})`);
      }
      const result = call();
      if (this.point?.at !== index || this.point.when !== 'after') return result;
      // Only promises can take effect and then lose their answer; a synchronous result (an iterable) cannot.
      return Promise.resolve(result).then(() => {
        this.dead = true;
        throw new Crash(`died after call ${index} (${name}.${method})`);
      });
    });
  }
}

/** Every point a run with these calls can die at: before each call, and after each write. */
export const crashPointsOf = (calls: readonly CallRecord[]): CrashPoint[] =>
  calls.flatMap((call, at): CrashPoint[] =>
    call.write
      ? [
          { at, when: 'before' },
          { at, when: 'after' },
        ]
      : [{ at, when: 'before' }],
  );

export const describePoint = (point: CrashPoint, calls: readonly CallRecord[]): string =>
  `${point.when} call ${point.at} (${calls[point.at]?.name ?? '?'})`;

/** The sweep seed: SWEEP_SEED when set (to repeat a failure), else a fresh one. Printed by every failure. */
export const sweepSeed = (): number => {
  const given = Number(process.env.SWEEP_SEED);
  return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
};

/**
 * Up to `limit` of `items`, chosen with `random` but always keeping the first and last (a run dying at its very
 * start or end); all of them when SWEEP=full or there are no more than `limit`.
 */
export const sampleOf = <T>(items: readonly T[], limit: number, random: () => number): T[] => {
  if (process.env.SWEEP === 'full' || items.length <= limit) return [...items];
  const middle = items.slice(1, -1).map((item) => ({ item, order: random() }));
  middle.sort((a, b) => a.order - b.order);
  const chosen = new Set(middle.slice(0, limit - 2).map(({ item }) => item));
  return items.filter((item, i) => i === 0 || i === items.length - 1 || chosen.has(item));
};

type WorkerState = { pending: (() => void)[]; inflight: number; steps: number; done: boolean };

/**
 * Picks which waiting worker makes its next port call. `steps` holds how many calls each worker has made so far.
 */
export type InterleavePolicy = (waiting: readonly number[], steps: readonly number[]) => number;

/** Worker 0 makes `first` calls, then worker 1 makes `second`, then worker 0 finishes, then worker 1. */
export const pausePolicy =
  (first: number, second: number): InterleavePolicy =>
  (waiting, steps) => {
    const can = (worker: number) => waiting.includes(worker);
    if (can(0) && (steps[0] ?? 0) < first) return 0;
    if (can(1) && (steps[1] ?? 0) < second) return 1;
    return can(0) ? 0 : (waiting[0] as number);
  };

/** Any waiting worker, chosen with `random`. */
export const randomPolicy =
  (random: () => number): InterleavePolicy =>
  (waiting) =>
    waiting[Math.floor(random() * waiting.length)] as number;

/**
 * Runs workers so that exactly one port call is in flight at a time, chosen by a policy among the workers waiting
 * at a call. A worker between calls (computing, or awaiting something that is not a port) is waited for, so the
 * order is the policy's alone, whatever the machine's speed.
 */
export class Interleaver {
  private states: WorkerState[] = [];
  private wake: () => void = () => {};

  /** `port` as worker `worker` sees it: each call waits for its turn. */
  wrap<T extends object>(worker: number, port: T): T {
    return wrapMethods(port, (_method, call) => {
      const state = this.stateOf(worker);
      return new Promise<void>((resolve) => {
        state.pending.push(resolve);
        this.wake();
      }).then(async () => {
        try {
          return await call();
        } finally {
          state.inflight--;
          this.wake();
        }
      });
    });
  }

  /** Runs the workers to the end under `policy`; returns how each ended. */
  async run(
    workers: readonly (() => Promise<unknown>)[],
    policy: InterleavePolicy,
  ): Promise<PromiseSettledResult<unknown>[]> {
    this.states = workers.map(() => ({ pending: [], inflight: 0, steps: 0, done: false }));
    const settled = Promise.allSettled(
      workers.map((worker, i) =>
        worker().finally(() => {
          this.stateOf(i).done = true;
          this.wake();
        }),
      ),
    );
    for (;;) {
      // Wait until every worker is either finished or parked at a call with nothing in flight.
      while (this.states.some((s) => !s.done && (s.inflight > 0 || s.pending.length === 0))) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
      const waiting = this.states.flatMap((s, i) => (s.pending.length > 0 ? [i] : []));
      if (waiting.length === 0) break;
      const chosen = this.stateOf(
        policy(
          waiting,
          this.states.map((s) => s.steps),
        ),
      );
      chosen.steps++;
      chosen.inflight++;
      (chosen.pending.shift() as () => void)();
    }
    return settled;
  }

  /** How many port calls each worker made in the last run. */
  get steps(): number[] {
    return this.states.map((s) => s.steps);
  }

  private stateOf(worker: number): WorkerState {
    const state = this.states[worker];
    if (!state) throw new Error(`no worker ${worker} in this run`);
    return state;
  }
}

/** A sweep's test timeout: generous for a sample (a loaded CI machine), unbounded in effect for SWEEP=full. */
export const SWEEP_TIMEOUT_MS = process.env.SWEEP === 'full' ? 4 * 60 * 60 * 1000 : 180_000;
