import type { Config } from '../config/config.js';
import { invalid } from '../errors.js';

/**
 * Studio's new-project wizard asks for a "region". For Supaplane a region is one
 * of the Coolify servers projects may be placed on (COOLIFY_SERVER_UUIDS): its
 * code is the server uuid, which is also what `project.region` shows.
 */
export interface Region {
  code: string;
  name: string;
}

// Studio only accepts these three smart-group codes. Supaplane has one group,
// "any server", which lets createProject pick the least-loaded server; the code
// is a placeholder Studio needs, not a geography.
const SMART_GROUP_CODES = ['americas', 'emea', 'apac'] as const;
export type SmartGroupCode = (typeof SMART_GROUP_CODES)[number];
const ANY_SERVER = {
  code: 'americas' as SmartGroupCode,
  name: 'Any server (least loaded)',
  type: 'smartGroup' as const,
};

// Studio's schema only knows these providers; 'AWS' is what its wizard sends.
export const STUDIO_CLOUD_PROVIDER = 'AWS';

export function listRegions(config: Pick<Config, 'COOLIFY_SERVER_UUIDS'>): Region[] {
  // Server names live in Coolify; asking it on every wizard load would spend the
  // rate limit, so the name shows the configured order and the uuid.
  return config.COOLIFY_SERVER_UUIDS.map((uuid, i) => ({
    code: uuid,
    name: `Server ${i + 1} (${uuid})`,
  }));
}

/** Studio's RegionsInfo for the wizard. */
export function regionsInfo(config: Pick<Config, 'COOLIFY_SERVER_UUIDS'>) {
  const specific = listRegions(config).map((r) => ({
    ...r,
    provider: STUDIO_CLOUD_PROVIDER,
    type: 'specific' as const,
  }));
  return {
    all: { smartGroup: [ANY_SERVER], specific },
    recommendations: { smartGroup: ANY_SERVER, specific: specific.slice(0, 1) },
  };
}

export type RegionSelection =
  { type: 'specific'; code: string } | { type: 'smartGroup'; code: string };

/**
 * The server a new project goes to, from what the wizard sent: a specific
 * region (a server uuid), a smart group (any server: undefined lets
 * createProject choose), or the older `db_region` (a code or a display name).
 */
export function resolveServer(
  config: Pick<Config, 'COOLIFY_SERVER_UUIDS'>,
  input: { regionSelection?: RegionSelection; dbRegion?: string },
): string | undefined {
  const regions = listRegions(config);
  const unknown = (what: string) =>
    invalid(
      `Unknown region "${what}". Choose one of: ${regions.map((r) => r.code).join(', ') || '(no servers configured)'}`,
      { allowed: regions.map((r) => r.code) },
    );
  const { regionSelection, dbRegion } = input;
  if (regionSelection?.type === 'smartGroup') {
    if (!(SMART_GROUP_CODES as readonly string[]).includes(regionSelection.code)) {
      throw unknown(regionSelection.code);
    }
    return undefined;
  }
  if (regionSelection?.type === 'specific') {
    if (!regions.some((r) => r.code === regionSelection.code)) throw unknown(regionSelection.code);
    return regionSelection.code;
  }
  if (dbRegion !== undefined) {
    const match = regions.find((r) => r.code === dbRegion || r.name === dbRegion);
    if (match) return match.code;
    if (dbRegion === ANY_SERVER.name) return undefined;
    throw unknown(dbRegion);
  }
  return undefined;
}
