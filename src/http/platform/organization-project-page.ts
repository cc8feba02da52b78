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
  if (!cached(deps, q)) return build();
  return deps.readCache.get<OrganizationProjectPage>(
    pageKey(organization.id, q),
    build,
    () => organization.id,
    (view) => view.projects.length + 1,
  );
}

/** organizationProjectPage's answer when it is cached: no promise, no wait. */
export function organizationProjectPageNow(
  deps: Pick<Deps, 'readCache'>,
  organization: Pick<Organization, 'id'>,
  q: PageQuery,
): OrganizationProjectPage | undefined {
  if (!cached(deps, q)) return undefined;
  return deps.readCache.peek<OrganizationProjectPage>(pageKey(organization.id, q));
}

/** Whether a page is kept in the read cache: searches are not (see organizationProjectPage). */
const cached = (
  deps: Pick<Deps, 'readCache'>,
  q: PageQuery,
): deps is { readCache: NonNullable<Deps['readCache']> } => !!deps.readCache && !q.search;

/**
 * The cache key of a page. Every part is a number or a closed enum value (a status
 * holds neither `:` nor `,`; none and an empty list both mean every status), so joining
 * them is unambiguous and skips building and serializing an array on every poll.
 */
function pageKey(organizationId: number, q: PageQuery): string {
  return `projects:${organizationId}:${q.limit}:${q.offset}:${q.sort}:${q.statuses?.join(',') ?? ''}`;
}
