import type { FastifyInstance } from 'fastify';
import type { Role } from '../api/types.js';
import type { AuthContext } from './context.js';
import { errorSchema, fail, guardErrors, iso, rejectedInput, roleSchema, TAG, userSchema } from './http.js';
import { MAX_PASSWORD, MIN_PASSWORD } from './password.js';
import type { User } from './users.js';
import { USER_NAME } from './users.js';

const nameParam = {
  type: 'object',
  properties: { name: { type: 'string', pattern: USER_NAME.source } },
  required: ['name'],
} as const;
const password = { type: 'string', minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD } as const;

export const userView = (u: User) => ({
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
  passwordChangedAt: iso(u.passwordChangedAt),
  lastLoginAt: iso(u.lastLoginAt),
});

/** User management for admins: list, create, change role, disable or enable, reset a password. */
export function registerUserRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { access, users, sessions, hasher } = ctx;
  const admin = access.require('admin');

  app.get(
    '/api/users',
    {
      preHandler: admin,
      schema: {
        tags: [TAG],
        summary: 'List users',
        response: {
          200: {
            type: 'object',
            properties: { users: { type: 'array', items: userSchema } },
            required: ['users'],
          },
          ...guardErrors,
        },
      },
    },
    async () => ({ users: users.list().map(userView) }),
  );

  app.post<{ Body: { name: string; role: Role; password: string } }>(
    '/api/users',
    {
      preHandler: admin,
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: 'Create a user with a role and an initial password',
        body: {
          type: 'object',
          properties: { name: { type: 'string', pattern: USER_NAME.source }, role: roleSchema, password },
          required: ['name', 'role', 'password'],
        },
        response: { 201: userSchema, ...guardErrors, 409: errorSchema },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const { name, role } = request.body;
      const hash = await hasher.hash(request.body.password);
      if (!users.create(name, role, hash))
        return fail(reply, 409, 'VIGIL_CONFLICT', `name: user ${name} exists`);
      access.audit(access.principalOf(request), 'user.create', name, { role });
      return reply.code(201).send(userView(users.get(name)!));
    },
  );

  app.patch<{ Params: { name: string }; Body: { role?: Role; disabled?: boolean } }>(
    '/api/users/:name',
    {
      preHandler: admin,
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: "Change a user's role, or disable / enable the user (disabling ends its sessions)",
        params: nameParam,
        body: {
          type: 'object',
          properties: { role: roleSchema, disabled: { type: 'boolean' } },
          minProperties: 1,
          additionalProperties: false,
        },
        response: { 200: userSchema, ...guardErrors, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const { name } = request.params;
      const { role, disabled } = request.body;
      const before = users.get(name);
      if (!before) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no user ${name}`);
      const losesAdmin =
        before.role === 'admin' && !before.disabled && (disabled === true || (role && role !== 'admin'));
      if (losesAdmin && users.otherAdmins(name) === 0)
        return fail(reply, 409, 'VIGIL_CONFLICT', `${name} is the last enabled admin`);
      if (role !== undefined) users.setRole(name, role);
      if (disabled !== undefined) users.setDisabled(name, disabled);
      const ended = disabled === true ? sessions.deleteForUser(name) : 0;
      access.audit(access.principalOf(request), 'user.update', name, {
        ...(role !== undefined ? { role: { from: before.role, to: role } } : {}),
        ...(disabled !== undefined ? { disabled, endedSessions: ended } : {}),
      });
      return userView(users.get(name)!);
    },
  );

  app.post<{ Params: { name: string }; Body: { password: string } }>(
    '/api/users/:name/password',
    {
      preHandler: admin,
      attachValidation: true,
      schema: {
        tags: [TAG],
        summary: "Reset a user's password (ends that user's sessions)",
        params: nameParam,
        body: { type: 'object', properties: { password }, required: ['password'] },
        response: {
          200: {
            type: 'object',
            properties: { ok: { type: 'boolean' }, endedSessions: { type: 'integer' } },
          },
          ...guardErrors,
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (await rejectedInput(request, reply)) return reply;
      const { name } = request.params;
      if (!users.get(name)) return fail(reply, 404, 'VIGIL_NOT_FOUND', `no user ${name}`);
      users.setPassword(name, await hasher.hash(request.body.password));
      // An admin resetting their own password keeps the session they are using.
      const own = access.identify(request)?.session;
      const principal = access.principalOf(request)!;
      const ended = sessions.deleteForUser(name, principal.user === name && own ? own.idHash : '');
      access.audit(principal, 'user.password.reset', name, { endedSessions: ended });
      return { ok: true, endedSessions: ended };
    },
  );
}
