ALTER TABLE "projects" ADD COLUMN "coolify_action" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "coolify_action_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "coolify_action_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "secrets_retained_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "missing_ticks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "warning" text;