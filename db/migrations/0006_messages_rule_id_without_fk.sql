ALTER TABLE "messages" DROP CONSTRAINT "messages_rule_id_rules_id_fk";
