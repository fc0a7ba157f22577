import { createPlanHandler, type PlanHandler } from './create-digest-handlers.ts';
import { createPlannerDeps } from './deployed-digest-deps.ts';
import { readPlannerEnvironment } from './environment.ts';

/** Lambda entry: EventBridge Scheduler's trigger for the digest cadence. */
export const handler: PlanHandler = createPlanHandler(await createPlannerDeps(readPlannerEnvironment()));
