import type { FastifyRequest } from 'fastify';
import { ROLE_RANK, type ApiAccess, type Principal, type Role } from './types.js';

/**
 * An ApiAccess for API module tests (the real one is src/auth's): the caller's role comes from the
 * `x-test-role` header (none: anonymous), and audit entries are collected in `audited`.
 */
export function testAccess(): ApiAccess & {
  audited: {
    principal: Principal | undefined;
    action: string;
    target: string;
    details?: Record<string, unknown>;
  }[];
} {
  const principals = new WeakMap<FastifyRequest, Principal>();
  const audited: ReturnType<typeof testAccess>['audited'] = [];
  return {
    audited,
    require(min) {
      return async (request, reply) => {
        const role = request.headers['x-test-role'];
        if (typeof role !== 'string' || !(role in ROLE_RANK)) {
          await reply
            .code(401)
            .send({ error: 'VIGIL_AUTH_REQUIRED', message: 'log in or send an API token' });
          return;
        }
        if (ROLE_RANK[role as Role] < ROLE_RANK[min]) {
          await reply.code(403).send({ error: 'VIGIL_AUTH_FORBIDDEN', message: `needs the ${min} role` });
          return;
        }
        principals.set(request, { user: `test-${role}`, role: role as Role, via: 'token' });
      };
    },
    principalOf: (request) => principals.get(request),
    audit: (principal, action, target, details) =>
      void audited.push({ principal, action, target, ...(details ? { details } : {}) }),
  };
}
