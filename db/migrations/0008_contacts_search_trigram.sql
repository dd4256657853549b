-- Contact search (name or number containing the text) through trigram indexes. pg_trgm ships
-- with PostgreSQL and is a trusted extension (a database owner may create it); where it is not
-- available the migration still succeeds and search scans the table instead.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): contact search will scan', SQLERRM;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS contacts_search_trgm_idx ON contacts USING gin (name gin_trgm_ops, wa_id gin_trgm_ops);
  END IF;
END
$$;
