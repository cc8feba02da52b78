CREATE TABLE "backup_keys" (
	"backup_id" bigint PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"nonce" "bytea" NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"tag" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backups" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "backups_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"project_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"scheduled_for" date,
	"storage" text,
	"object_key" text,
	"data_nonce" "bytea",
	"data_tag" "bytea",
	"sha256" text,
	"size_bytes" bigint,
	"duration_ms" integer,
	"template_version" text,
	"postgres_version" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"actor" text NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backup_policies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "backup_policies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organization_id" bigint,
	"project_id" bigint,
	"enabled" boolean,
	"time_of_day_minutes" integer,
	"retention_daily" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backup_policies_organization_id_unique" UNIQUE("organization_id"),
	CONSTRAINT "backup_policies_project_id_unique" UNIQUE("project_id"),
	CONSTRAINT "backup_policies_one_scope" CHECK (num_nonnulls("backup_policies"."organization_id", "backup_policies"."project_id") = 1),
	CONSTRAINT "backup_policies_time_of_day" CHECK ("backup_policies"."time_of_day_minutes" is null or "backup_policies"."time_of_day_minutes" between 0 and 1439),
	CONSTRAINT "backup_policies_retention" CHECK ("backup_policies"."retention_daily" is null or "backup_policies"."retention_daily" >= 1)
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "postgres_image" text;--> statement-breakpoint
ALTER TABLE "backup_keys" ADD CONSTRAINT "backup_keys_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backups" ADD CONSTRAINT "backups_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backup_policies" ADD CONSTRAINT "backup_policies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backup_policies" ADD CONSTRAINT "backup_policies_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backups_project_idx" ON "backups" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "backups_scheduled_once_idx" ON "backups" USING btree ("project_id","scheduled_for") WHERE "backups"."kind" = 'scheduled';