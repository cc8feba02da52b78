import { randomBytes } from 'node:crypto';
import { ROLES, type Role } from '../../db/schema/index.js';
import { createAccessToken } from '../../identity/access-tokens.js';
import { getOrganizationBySlug, getUserByEmail, listAllOrganizations } from '../operator.js';
import { createOrganization } from '../../organizations/organizations.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { getProjectByRef } from '../../projects/projects.js';
import { projectPublicUrl } from '../../projects/urls.js';
import { addMember, createUser } from '../../identity/users.js';
import { requirePositional, stringOption, type Command } from '../command.js';
import { EXIT, json, line, readAll, table, UsageError } from '../io.js';

const keys: Command = {
  name: 'keys',
  usage: 'keys <ref> [--json]',
  summary: "Print a project's URL and API keys (anon, service_role, publishable, secret)",
  async run(ctx) {
    const ref = requirePositional(ctx, 0, 'project ref');
    const deps = (await ctx.session()).runtime.deps;
    const project = await getProjectByRef(deps, ref);
    const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
    if (!secrets || project.status === 'REMOVED') {
      ctx.io.stderr.write(`✘ ${ref} has no keys (status ${project.status})\n`);
      return EXIT.failed;
    }
    const out = {
      ref,
      url: projectPublicUrl(deps.config, ref),
      anon: secrets.SUPABASE_ANON_KEY,
      service_role: secrets.SUPABASE_SERVICE_KEY,
      publishable: secrets.SUPABASE_PUBLISHABLE_KEY,
      secret: secrets.SUPABASE_SECRET_KEY,
    };
    if (ctx.values.json) json(ctx.io, out);
    else for (const [k, v] of Object.entries(out)) line(ctx.io, `${`${k}:`.padEnd(14)}${v}`);
    return EXIT.ok;
  },
};

const orgsList: Command = {
  name: 'orgs list',
  usage: 'orgs list [--json]',
  summary: 'List organizations',
  async run(ctx) {
    const orgs = await listAllOrganizations((await ctx.session()).runtime.deps);
    const rows = orgs.map((o) => ({
      slug: o.slug,
      name: o.name,
      projects: o.projects,
      members: o.members,
      created_at: o.createdAt.toISOString(),
    }));
    if (ctx.values.json) json(ctx.io, rows);
    else if (!rows.length) line(ctx.io, 'No organizations yet: supaplane orgs create <name>');
    else
      table(
        ctx.io,
        ['SLUG', 'NAME', 'PROJECTS', 'MEMBERS', 'CREATED'],
        rows.map((r) => [r.slug, r.name, r.projects, r.members, r.created_at.slice(0, 10)]),
      );
    return EXIT.ok;
  },
};

const orgsCreate: Command = {
  name: 'orgs create',
  usage: 'orgs create <name> [--slug <slug>] [--owner <email>] [--json]',
  summary: 'Create an organization, optionally with an existing user as its owner',
  options: { slug: { type: 'string' }, owner: { type: 'string' } },
  async run(ctx) {
    const name = requirePositional(ctx, 0, 'organization name');
    const deps = (await ctx.session()).runtime.deps;
    const ownerEmail = stringOption(ctx.values, 'owner');
    const owner = ownerEmail ? await getUserByEmail(deps, ownerEmail) : undefined;
    const org = await createOrganization(deps, { name, slug: stringOption(ctx.values, 'slug') });
    if (owner) await addMember(deps, { organizationId: org.id, userId: owner.id, role: 'owner' });
    if (ctx.values.json)
      json(ctx.io, { slug: org.slug, name: org.name, owner: owner?.email ?? null });
    else
      line(ctx.io, `✔ Created organization ${org.slug}${owner ? ` owned by ${owner.email}` : ''}`);
    return EXIT.ok;
  },
};

const usersCreate: Command = {
  name: 'users create',
  usage:
    'users create <email> [--password-stdin | --password <p>] [--org <slug> [--role <role>]] [--json]',
  summary: 'Create a dashboard user (a password is generated unless given)',
  options: {
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    org: { type: 'string' },
    role: { type: 'string' },
  },
  async run(ctx) {
    const email = requirePositional(ctx, 0, 'email');
    const role = (stringOption(ctx.values, 'role') ?? 'owner') as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const given = ctx.values['password-stdin']
      ? (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '')
      : stringOption(ctx.values, 'password');
    const password = given ?? randomBytes(15).toString('base64url');
    const deps = (await ctx.session()).runtime.deps;
    const slug = stringOption(ctx.values, 'org');
    const org = slug ? await getOrganizationBySlug(deps, slug) : undefined;
    const user = await createUser(deps, { email, password });
    if (org) await addMember(deps, { organizationId: org.id, userId: user.id, role });
    const generated = given === undefined ? password : undefined;
    if (ctx.values.json) {
      json(ctx.io, {
        id: user.id,
        email: user.email,
        organization: org?.slug ?? null,
        role: org ? role : null,
        ...(generated ? { password: generated } : {}),
      });
    } else {
      line(ctx.io, `✔ Created user ${user.email}${org ? ` (${role} of ${org.slug})` : ''}`);
      if (generated)
        line(ctx.io, `  password: ${generated}   (shown once; change it after signing in)`);
    }
    return EXIT.ok;
  },
};

const tokensCreate: Command = {
  name: 'tokens create',
  usage: 'tokens create --user <email> [--name <name>] [--expires-in-days <n>] [--json]',
  summary: 'Create a personal access token (sbp_…) for the Management API and the Supabase CLI',
  options: {
    user: { type: 'string' },
    name: { type: 'string' },
    'expires-in-days': { type: 'string' },
  },
  async run(ctx) {
    const email = stringOption(ctx.values, 'user');
    if (!email) throw new UsageError('--user <email> is required');
    const days = stringOption(ctx.values, 'expires-in-days');
    if (days !== undefined && !(Number(days) > 0))
      throw new UsageError('--expires-in-days must be a positive number');
    const deps = (await ctx.session()).runtime.deps;
    const user = await getUserByEmail(deps, email);
    const created = await createAccessToken(deps, {
      // The operator, on the server itself, acts for the user.
      actor: { userId: user.id, email: user.email, via: 'operator' },
      input: {
        name: stringOption(ctx.values, 'name') ?? 'supaplane CLI',
        expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : null,
      },
    });
    if (ctx.values.json) json(ctx.io, { ...created, user: user.email });
    else {
      line(ctx.io, created.token);
      ctx.io.stderr.write(
        `✔ Token "${created.name}" for ${user.email}${created.expires_at ? `, expires ${created.expires_at}` : ''}. ` +
          'It is shown once: store it now (e.g. SUPABASE_ACCESS_TOKEN).\n',
      );
    }
    return EXIT.ok;
  },
};

export const accountCommands: Command[] = [keys, orgsList, orgsCreate, usersCreate, tokensCreate];
