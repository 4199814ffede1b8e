import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

/**
 * The one DynamoDB table of a Vigil deployment (keys `pk`/`sk`, TTL attribute `ttl`, epoch seconds).
 * Item kinds by `pk` prefix: `state#` (detection state), `event#` (an event applied to detection state),
 * `finding#` (triage aggregate), `delivery#` (an alert delivered to a channel), `run#` / `audit#` / `rate#`
 * (responses). Every item not keyed otherwise has `sk` "-".
 */
export type Item = Record<string, unknown> & { pk: string; sk: string };

export const SK = '-';

/** Why a conditional write did not happen: another writer got there first. */
export class ConditionFailedError extends Error {
  constructor(
    message: string,
    /** Per item of a transaction: whether its condition failed. */
    readonly failed: readonly boolean[] = [],
  ) {
    super(message);
    this.name = 'ConditionFailedError';
  }
}

export type WriteOp =
  | { put: Item; condition?: string; values?: Record<string, unknown>; names?: Record<string, string> }
  | {
      delete: { pk: string; sk: string };
      condition?: string;
      values?: Record<string, unknown>;
      names?: Record<string, string>;
    };

export interface Table {
  get(pk: string, sk?: string): Promise<Item | undefined>;
  /** Items by pk (sk "-"), in at most 100-key requests; missing ones are absent from the map. */
  getMany(pks: readonly string[]): Promise<Map<string, Item>>;
  /** Puts when `condition` holds (default: no item yet); false when it does not. */
  putIf(item: Item, condition?: string, values?: Record<string, unknown>): Promise<boolean>;
  put(item: Item): Promise<void>;
  delete(pk: string, sk?: string): Promise<void>;
  /** All or nothing; ConditionFailedError says which conditions failed. */
  transact(ops: readonly WriteOp[]): Promise<void>;
}

const BATCH_GET_MAX = 100;
const UNPROCESSED_RETRIES = 5;

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export function createTable(
  client: DynamoDBDocumentClient,
  tableName: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Table {
  return {
    async get(pk, sk = SK) {
      const out = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      return out.Item as Item | undefined;
    },
    async getMany(pks) {
      const found = new Map<string, Item>();
      const unique = [...new Set(pks)];
      for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
        let keys: Record<string, unknown>[] = unique
          .slice(i, i + BATCH_GET_MAX)
          .map((pk) => ({ pk, sk: SK }));
        for (let attempt = 0; keys.length; attempt++) {
          if (attempt > UNPROCESSED_RETRIES)
            throw new Error(`DynamoDB left ${keys.length} keys unprocessed (throttled)`);
          if (attempt) await sleep(50 * 2 ** attempt);
          const out = await client.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of (out.Responses?.[tableName] ?? []) as Item[]) found.set(item.pk, item);
          keys = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return found;
    },
    async putIf(item, condition = 'attribute_not_exists(pk)', values) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: condition,
            ...(values ? { ExpressionAttributeValues: values } : {}),
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
    async put(item) {
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async delete(pk, sk = SK) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk } }));
    },
    async transact(ops) {
      if (!ops.length) return;
      const extra = (op: WriteOp) => ({
        ...(op.condition ? { ConditionExpression: op.condition } : {}),
        ...(op.values ? { ExpressionAttributeValues: op.values } : {}),
        ...(op.names ? { ExpressionAttributeNames: op.names } : {}),
      });
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: ops.map((op) =>
              'put' in op
                ? { Put: { TableName: tableName, Item: op.put, ...extra(op) } }
                : { Delete: { TableName: tableName, Key: op.delete, ...extra(op) } },
            ),
          }),
        );
      } catch (err) {
        const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
        if (
          e?.name === 'TransactionCanceledException' &&
          e.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
        )
          throw new ConditionFailedError(
            'another writer changed these items first',
            ops.map((_, i) => e.CancellationReasons?.[i]?.Code === 'ConditionalCheckFailed'),
          );
        throw err;
      }
    },
  };
}

/** Epoch seconds `ms` from now, for the `ttl` attribute. */
export function ttlAfter(nowMs: number, ms: number): number {
  return Math.ceil((nowMs + ms) / 1000);
}
