import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { RenderLock, SiteState } from '../app/ports.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * The site revision and the render lease, one item in the state table:
 *
 * | pk     | sk      | what                                                                      |
 * |--------|---------|---------------------------------------------------------------------------|
 * | `SITE` | `STATE` | `revision`, `renderedRevision`, and `lockOwner`/`lockUntil` while locked  |
 */
const SITE_STATE = { pk: 'SITE', sk: 'STATE' };

/** Absent until the first change is counted; the lock's attributes only while it is held. */
const siteStateSchema = z.object({
  revision: z.number().default(0),
  renderedRevision: z.number().default(0),
  lockOwner: z.string().exactOptional(),
  lockUntil: z.number().exactOptional(),
});

export const createDynamoRenderLock = (table: StateTable): RenderLock => {
  const getSiteState = async (): Promise<SiteState> => {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.name, Key: SITE_STATE, ConsistentRead: true }),
    );
    const stored = table.parse(siteStateSchema, Item ?? {}, SITE_STATE);
    return {
      revision: stored.revision,
      renderedRevision: stored.renderedRevision,
      ...(stored.lockOwner !== undefined ? { lockOwner: stored.lockOwner } : {}),
      ...(stored.lockUntil !== undefined ? { lockUntil: stored.lockUntil } : {}),
    };
  };

  return {
    getSiteState,

    async bumpRevision() {
      const { Attributes } = await table.doc.send(
        new UpdateCommand({
          TableName: table.name,
          Key: SITE_STATE,
          UpdateExpression: 'ADD revision :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.revision);
    },

    async tryLock(owner, nowMs, leaseMs) {
      const locked = await table.updateIf(SITE_STATE, {
        UpdateExpression: 'SET lockOwner = :owner, lockUntil = :until',
        ConditionExpression: 'attribute_not_exists(lockOwner) OR lockUntil < :now OR lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':until': nowMs + leaseMs, ':now': nowMs },
      });
      return locked !== undefined;
    },

    async markRendered(owner, revision, nowMs, leaseMs) {
      const marked = await table.updateIf(SITE_STATE, {
        UpdateExpression: 'SET renderedRevision = :revision, lockUntil = :until',
        ConditionExpression:
          'lockOwner = :owner AND (attribute_not_exists(renderedRevision) OR renderedRevision < :revision)',
        ExpressionAttributeValues: { ':owner': owner, ':revision': revision, ':until': nowMs + leaseMs },
      });
      if (marked) return true;
      // Still the holder and someone already recorded this revision: carry on; otherwise the lease was lost.
      const state = await getSiteState();
      return state.lockOwner === owner;
    },

    async renewLease(owner, nowMs, leaseMs) {
      const renewed = await table.updateIf(SITE_STATE, {
        UpdateExpression: 'SET lockUntil = :until',
        ConditionExpression: 'lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':until': nowMs + leaseMs },
      });
      return renewed !== undefined;
    },

    async unlock(owner) {
      await table.updateIf(SITE_STATE, {
        UpdateExpression: 'REMOVE lockOwner, lockUntil',
        ConditionExpression: 'lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      });
    },
  };
};
