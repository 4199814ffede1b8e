import type { FastifyReply, FastifyRequest } from 'fastify';

/** Shared JSON schemas and helpers of the auth routes. */

export const TAG = 'auth';

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

/** The error answers every guarded route can give, for the OpenAPI document. */
export const guardErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema } as const;

export const roleSchema = { type: 'string', enum: ['viewer', 'responder', 'admin'] } as const;
export const timeSchema = { type: ['string', 'null'], format: 'date-time' } as const;

export const userSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: roleSchema,
    disabled: { type: 'boolean' },
    createdAt: timeSchema,
    updatedAt: timeSchema,
    passwordChangedAt: timeSchema,
    lastLoginAt: timeSchema,
  },
  required: ['name', 'role', 'disabled'],
} as const;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Answers 400 naming the parameter when the route's schema rejected the request (`attachValidation`). */
export async function rejectedInput(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (!request.validationError) return false;
  await reply.code(400).send({ error: 'VIGIL_BAD_REQUEST', message: request.validationError.message });
  return true;
}

export function fail(reply: FastifyReply, code: number, error: string, message: string): FastifyReply {
  return reply.code(code).send({ error, message });
}
