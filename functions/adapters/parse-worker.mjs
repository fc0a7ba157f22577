// Worker threads do not inherit the TypeScript loader of the CLI process: register tsx here, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
