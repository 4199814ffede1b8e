import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The contract between the dashboard's REST API modules (src/api/*) and access control (src/auth).
 * Every /api route declares the least role it needs; the guard answers 401 without an identity and 403
 * when the identity's role is below it. Roles are ordered: viewer < responder < admin.
 */
export type Role = 'viewer' | 'responder' | 'admin';

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, responder: 2, admin: 3 };

/** Who is calling: a logged-in user (session cookie) or a script (API token). */
export interface Principal {
  user: string;
  role: Role;
  via: 'session' | 'token';
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface ApiAccess {
  /** A fastify `preHandler` that lets through identities with at least `min`, and sets `principalOf(request)`. */
  require(min: Role): Guard;
  /** The identity a guard let through (undefined on unguarded routes). */
  principalOf(request: FastifyRequest): Principal | undefined;
  /** Appends to the audit log of user actions: who, what, on what, when (now), with details. */
  audit(
    principal: Principal | undefined,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ): void;
}
