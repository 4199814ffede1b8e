import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { createTable, type Item, type Table } from './table.js';
import { eventBridgePublisher } from './publish.js';
import type { SQSEvent } from './types.js';

/**
 * A DynamoDB table behind aws-sdk-client-mock: the Document client's commands are answered from a Map,
 * with the condition expressions Vigil writes (`attribute_not_exists(pk)`, `ver = :ver`) evaluated, so
 * conditional writes, versions and transactions behave as in DynamoDB.
 */
export function mockDynamo(name = 'vigil-state') {
  const items = new Map<string, Item>();
  const key = (k: { pk: unknown; sk: unknown }) => `${String(k.pk)}\u0000${String(k.sk)}`;
  const holds = (condition: string | undefined, values: Record<string, unknown> | undefined, k: string) => {
    if (!condition) return true;
    const current = items.get(k);
    if (condition === 'attribute_not_exists(pk)') return current === undefined;
    if (condition === 'ver = :ver') return current !== undefined && current.ver === values?.[':ver'];
    throw new Error(`mock DynamoDB: unsupported condition ${condition}`);
  };
  const conditionFailed = () =>
    Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
  const raw = new DynamoDBClient({ region: 'us-east-1' });
  const doc = DynamoDBDocumentClient.from(raw);
  const mock = mockClient(DynamoDBDocumentClient);
  mock
    .on(GetCommand)
    .callsFake((input: { Key: Item }) => ({ Item: structuredClone(items.get(key(input.Key))) }));
  mock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Item[] }> }) => ({
    Responses: {
      [name]: input.RequestItems[name]!.Keys.map((k) => items.get(key(k)))
        .filter((i) => i !== undefined)
        .map((i) => structuredClone(i)),
    },
  }));
  mock
    .on(PutCommand)
    .callsFake(
      (input: {
        Item: Item;
        ConditionExpression?: string;
        ExpressionAttributeValues?: Record<string, unknown>;
      }) => {
        const k = key(input.Item);
        if (!holds(input.ConditionExpression, input.ExpressionAttributeValues, k)) throw conditionFailed();
        items.set(k, structuredClone(input.Item));
        return {};
      },
    );
  mock.on(DeleteCommand).callsFake((input: { Key: Item }) => {
    items.delete(key(input.Key));
    return {};
  });
  mock.on(TransactWriteCommand).callsFake(
    (input: {
      TransactItems: {
        Put?: {
          Item: Item;
          ConditionExpression?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        Delete?: {
          Key: Item;
          ConditionExpression?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
      }[];
    }) => {
      const reasons = input.TransactItems.map((t) => {
        const op = (t.Put ?? t.Delete)!;
        const k = key(t.Put ? t.Put.Item : t.Delete!.Key);
        return holds(op.ConditionExpression, op.ExpressionAttributeValues, k)
          ? 'None'
          : 'ConditionalCheckFailed';
      });
      if (reasons.some((r) => r !== 'None'))
        throw Object.assign(new Error('Transaction cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: reasons.map((Code) => ({ Code })),
        });
      for (const t of input.TransactItems) {
        if (t.Put) items.set(key(t.Put.Item), structuredClone(t.Put.Item));
        else items.delete(key(t.Delete!.Key));
      }
      return {};
    },
  );
  const table: Table = createTable(doc, name, async () => undefined);
  return { items, mock, table, get: (pk: string) => items.get(`${pk}\u0000-`) };
}

/** EventBridge under aws-sdk-client-mock: every PutEvents entry is kept, detail parsed. */
export function mockEventBridge() {
  const mock = mockClient(EventBridgeClient);
  const entries: {
    Source: string;
    DetailType: string;
    detail: Record<string, unknown>;
    EventBusName?: string;
  }[] = [];
  mock
    .on(PutEventsCommand)
    .callsFake(
      (input: {
        Entries: { Source: string; DetailType: string; Detail: string; EventBusName?: string }[];
      }) => {
        for (const e of input.Entries)
          entries.push({ ...e, detail: JSON.parse(e.Detail) as Record<string, unknown> });
        return {
          FailedEntryCount: 0,
          Entries: input.Entries.map((_, i) => ({ EventId: `evt-${entries.length + i}` })),
        };
      },
    );
  const publish = eventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'default');
  return { mock, entries, publish };
}

/** An SQS batch of EventBridge events (or raw bodies), message ids m1, m2, … */
export function sqsBatch(...bodies: (object | string)[]): SQSEvent {
  return {
    Records: bodies.map((b, i) => ({
      messageId: `m${i + 1}`,
      body: typeof b === 'string' ? b : JSON.stringify(b),
      eventSource: 'aws:sqs',
    })),
  };
}

/** An EventBridge envelope as a rule delivers it to SQS. */
export function eventBridge(
  detailType: string,
  source: string,
  detail: unknown,
  id = `eb-${Math.random().toString(16).slice(2)}`,
) {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: '111122223333',
    time: '2024-06-03T14:30:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}
