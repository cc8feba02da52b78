CREATE TABLE "edge_function_versions" (
	"function_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"project_id" bigint NOT NULL,
	"entrypoint_path" text NOT NULL,
	"import_map_path" text,
	"static_patterns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"verify_jwt" boolean NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"file_count" integer NOT NULL,
	"key_id" text NOT NULL,
	"nonce" "bytea" NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"tag" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "edge_function_versions_function_id_version_pk" PRIMARY KEY("function_id","version")
);
--> statement-breakpoint
CREATE TABLE "edge_functions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"verify_jwt" boolean DEFAULT true NOT NULL,
	"entrypoint_path" text,
	"import_map_path" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "edge_functions_project_slug" UNIQUE("project_id","slug"),
	CONSTRAINT "edge_functions_version_nonnegative" CHECK ("edge_functions"."version" >= 0)
);
--> statement-breakpoint
CREATE TABLE "function_delivery_tokens" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"nonce" "bytea" NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"tag" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "edge_function_versions" ADD CONSTRAINT "edge_function_versions_function_id_edge_functions_id_fk" FOREIGN KEY ("function_id") REFERENCES "public"."edge_functions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "edge_function_versions" ADD CONSTRAINT "edge_function_versions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "edge_functions" ADD CONSTRAINT "edge_functions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "function_delivery_tokens" ADD CONSTRAINT "function_delivery_tokens_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;