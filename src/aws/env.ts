import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createTable, type Table } from './table.js';
import { eventBridgePublisher, type Publish } from './publish.js';

/** A required environment variable of a function (set by the CDK construct). */
export function requireEnv(name: string, env: Record<string, string | undefined> = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The state table named by STATE_TABLE. Clients are built once per cold start, outside the handler. */
export function defaultTable(env: Record<string, string | undefined> = process.env): Table {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createTable(doc, requireEnv('STATE_TABLE', env));
}

/** PutEvents on EVENT_BUS_NAME (default: the default bus). */
export function defaultPublisher(env: Record<string, string | undefined> = process.env): Publish {
  return eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME || 'default');
}
