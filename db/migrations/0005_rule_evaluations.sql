CREATE TABLE "rule_evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rule_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"evaluations" integer NOT NULL,
	"matches" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rule_evaluations_rule_at_idx" ON "rule_evaluations" USING btree ("rule_id","at");--> statement-breakpoint
CREATE INDEX "rule_evaluations_at_idx" ON "rule_evaluations" USING btree ("at");