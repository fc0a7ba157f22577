import { startStandIns } from '../functions/local/stand-ins.ts';

/**
 * Runs the stand-ins in a process of their own, as `npm start` does while the CLI talks to it from another, and
 * prints their endpoints as one JSON line. Stops when its parent closes stdin.
 */
const standIns = await startStandIns();
process.stdout.write(`${JSON.stringify({ dynamoEndpoint: standIns.dynamoEndpoint, tableName: standIns.tableName })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await standIns.close();
  process.exit(0);
});
