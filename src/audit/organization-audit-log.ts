import { and, count, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { auditLog, organizations, projects, users } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { requireOrganization } from '../members/access.js';

/**
 * An organization's audit log as Studio's audit page reads it
 * (data/organizations/organization-audit-logs-query.ts@0a7fd13f: `{ result: AuditLog[],
 * retention_period }`, each with action.name, actor.id/type/metadata[].email,
 * target.description/metadata, occurred_at), newest first, one page at a time.
 * The rows are the ones every state change already writes; they never hold secrets.
 */
export interface AuditLogEntry {
  action: { name: string; metadata: { from_status?: string; to_status?: string }[] };
  actor: { id: string; type: 'user' | 'system'; metadata: { email?: string }[] };
  target: { description: string; metadata: { org_slug: string; project_ref?: string } };
  occurred_at: string;
}

export interface AuditLogPage {
  result: AuditLogEntry[];
  /** Days; Supaplane keeps every row. */
  retention_period: number;
  total: number;
}

export interface AuditLogQuery {
  slug: string;
  limit?: number;
  offset?: number;
  from?: string;
  to?: string;
}

const MAX_LIMIT = 1000;

function instant(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalid(`${name} must be an ISO 8601 timestamp`);
  return at;
}

export async function listOrganizationAuditLog(
  deps: Pick<Deps, 'db' | 'readCache'>,
  { principal, input }: { principal: Principal; input: AuditLogQuery },
): Promise<AuditLogPage> {
  const { organization } = await requireOrganization(deps, principal, input.slug, 'read');
  const limit = input.limit ?? 100;
  const offset = input.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw invalid('offset must be a non-negative integer');
  const from = instant(input.from, 'iso_timestamp_start');
  const to = instant(input.to, 'iso_timestamp_end');
  const where: SQL[] = [eq(auditLog.organizationId, organization.id)];
  if (from) where.push(gte(auditLog.createdAt, from));
  if (to) where.push(lte(auditLog.createdAt, to));
  const [rows, [total]] = await Promise.all([
    deps.db
      .select({ row: auditLog, email: users.email, ref: projects.ref, slug: organizations.slug })
      .from(auditLog)
      .innerJoin(organizations, eq(organizations.id, auditLog.organizationId))
      .leftJoin(projects, eq(projects.id, auditLog.projectId))
      // Actors are user ids, or words such as `system` and `cli`.
      .leftJoin(users, eq(sql`${users.id}::text`, auditLog.actor))
      .where(and(...where))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(limit)
      .offset(offset),
    deps.db
      .select({ n: count() })
      .from(auditLog)
      .where(and(...where)),
  ]);
  return {
    result: rows.map(({ row, email, ref, slug }) => ({
      action: {
        name: row.action,
        metadata: [
          {
            ...(row.fromStatus ? { from_status: row.fromStatus } : {}),
            ...(row.toStatus ? { to_status: row.toStatus } : {}),
          },
        ],
      },
      actor: {
        id: row.actor,
        type: email ? 'user' : 'system',
        metadata: email ? [{ email }] : [],
      },
      target: {
        description: ref ? `project ${ref}` : `organization ${slug}`,
        metadata: { org_slug: slug, ...(ref ? { project_ref: ref } : {}) },
      },
      occurred_at: row.createdAt.toISOString(),
    })),
    retention_period: 36_500,
    total: total?.n ?? 0,
  };
}
