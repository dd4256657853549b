ALTER TABLE "ai_usage_daily" DROP CONSTRAINT "ai_usage_daily_profile_id_context_profiles_id_fk";
