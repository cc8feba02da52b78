import type { Deps } from '../../context.js';
import type { Organization } from '../../db/schema/index.js';
import {
  listProjectsPage,
  paginatedView,
  projectListItemView,
  type ProjectPageQuery,
} from '../../projects/views.js';

type PageQuery = Omit<ProjectPageQuery, 'scope' | 'limit'> & { limit: number };
type OrganizationProjectPage = ReturnType<
  typeof paginatedView<ReturnType<typeof projectListItemView>>
>;

/**
 * GET /platform/organizations/{slug}/projects: the list every open Studio polls.
 * The built answer is cached per organization and query, and dropped by any write
 * to that organization (see ReadCache). Searches are not cached: each keystroke
 * is a new query that would only push useful pages out.
 */
export function organizationProjectPage(
  deps: Pick<Deps, 'db' | 'readCache'>,
  organization: Pick<Organization, 'id' | 'slug'>,
  q: PageQuery,
) {
  const build = async (): Promise<OrganizationProjectPage> => {
    const page = await listProjectsPage(deps, { scope: { organizationId: organization.id }, ...q });
    return paginatedView(
      page.items.map((i) => projectListItemView(i.project, organization.slug)),
      { count: page.count, limit: q.limit, offset: q.offset },
    );
  };
  if (!deps.readCache || q.search) return build();
  return deps.readCache.get<OrganizationProjectPage>(
    `projects:${JSON.stringify([organization.id, q.limit, q.offset, q.sort, q.statuses])}`,
    build,
    () => organization.id,
    (view) => view.projects.length + 1,
  );
}
