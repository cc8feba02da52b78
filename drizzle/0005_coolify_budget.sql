CREATE TABLE "coolify_budget" (
	"key" text PRIMARY KEY NOT NULL,
	"paused_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "coolify_budget_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "coolify_budget_calls_key_sent_idx" ON "coolify_budget_calls" USING btree ("key","sent_at");