import { z } from 'zod';

// Only the fields Supaplane reads; Coolify sends many more and adds fields over
// time, so objects are parsed loosely (zod strips unknown keys).

export const serverSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  ip: z.string().nullish(),
  is_usable: z.boolean().nullish(),
  is_reachable: z.boolean().nullish(),
  settings: z.object({ is_build_server: z.boolean().nullish() }).nullish(),
});
export type CoolifyServer = z.infer<typeof serverSchema>;

export const destinationSchema = z.object({
  uuid: z.string(),
  name: z.string().nullish(),
  network: z.string().nullish(),
  type: z.string().nullish(),
});
export type CoolifyDestination = z.infer<typeof destinationSchema>;

export const resourceSchema = z.object({
  uuid: z.string(),
  name: z.string().nullish(),
  type: z.string(),
  status: z.string().nullish(),
});
export type CoolifyResource = z.infer<typeof resourceSchema>;

export const projectSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  description: z.string().nullish(),
});
export type CoolifyProject = z.infer<typeof projectSchema>;

export const environmentSchema = z.object({
  uuid: z.string().nullish(),
  name: z.string(),
  services: z
    .array(
      z.object({
        uuid: z.string(),
        name: z.string().nullish(),
        // Serialised with each service: its `status` accessor loads them (Service.php:67,239).
        applications: z.array(z.object({ uuid: z.string(), fqdn: z.string().nullish() })).nullish(),
      }),
    )
    .default([]),
  applications: z.array(z.unknown()).default([]),
  databases: z.array(z.unknown()).nullish(),
});

export const serviceSchema = z.object({
  uuid: z.string(),
  name: z.string().nullish(),
  status: z.string().nullish(),
  server_status: z.boolean().nullish(),
});
export type CoolifyService = z.infer<typeof serviceSchema>;

export const createdSchema = z.object({ uuid: z.string() });
/** GET /services/{uuid}/storages (ServicesController.php:2348-2390@379abb25), file rows only. */
export const serviceStoragesSchema = z.object({
  file_storages: z.array(
    z.object({
      uuid: z.string(),
      mount_path: z.string(),
      resource_uuid: z.string().nullish(),
    }),
  ),
});
export const createdServiceSchema = z.object({
  uuid: z.string(),
  domains: z.array(z.string()).nullish(),
});
/** A 409 from POST/PATCH /services (ServicesController.php:739-745, domains.php:283-303). */
export const domainConflictSchema = z.object({
  conflicts: z.array(
    z.object({
      domain: z.string(),
      resource_uuid: z.string(),
      resource_type: z.string(),
      resource_name: z.string().nullish(),
    }),
  ),
});

export const messageSchema = z.object({ message: z.string() }).loose();
export const envListSchema = z.array(z.object({ key: z.string(), uuid: z.string().nullish() }));

export interface EnvInput {
  key: string;
  value: string;
  is_literal?: boolean;
  is_multiline?: boolean;
  is_shown_once?: boolean;
  comment?: string;
}

export interface CreateServiceInput {
  project_uuid: string;
  server_uuid: string;
  environment_name: string;
  docker_compose_raw: string;
  name: string;
  description: string;
  instant_deploy: boolean;
  urls: { name: string; url: string }[];
  tags: string[];
  destination_uuid?: string;
  /** Coolify escapes `$` in labels unless false (ServicesController.php:294@379abb25). */
  is_container_label_escape_enabled?: boolean;
}

export interface DeleteServiceFlags {
  delete_configurations: boolean;
  delete_volumes: boolean;
  docker_cleanup: boolean;
  delete_connected_networks: boolean;
}
