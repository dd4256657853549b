ALTER TABLE "messages" ADD COLUMN "content" jsonb;--> statement-breakpoint
-- ==== Hand-written backfill (keep at the end of this migration) ====
-- Every existing message gets the content its type, body and media metadata describe, as
-- `legacyContent` in server/messages/content.ts reads them; `body` stays as it was. Readers
-- put stored content through the same zod schema, so a value this cannot judge (an odd media
-- type) is repaired when read.
UPDATE "messages" SET "content" = CASE
  WHEN "type" IN ('image', 'video', 'audio', 'voice', 'document', 'sticker') THEN
    jsonb_build_object('kind', "type")
    || CASE WHEN "body" <> '' THEN jsonb_build_object('caption', left("body", 4096)) ELSE '{}'::jsonb END
    || CASE WHEN jsonb_typeof("media") = 'object' THEN jsonb_build_object('media', jsonb_strip_nulls(jsonb_build_object(
         'mimeType', coalesce(nullif(left("media"->>'mimeType', 200), ''), 'application/octet-stream'),
         'fileName', left("media"->>'fileName', 500),
         'size', CASE WHEN jsonb_typeof("media"->'size') = 'number' THEN "media"->'size' END)))
       ELSE '{}'::jsonb END
  -- The former stand-in of a location: "name\naddress (lat, lng)".
  WHEN "type" = 'location' AND "body" ~ '\((-?[0-9]+(\.[0-9]+)?), ?(-?[0-9]+(\.[0-9]+)?)\)\s*$' THEN
    jsonb_strip_nulls(jsonb_build_object(
      'kind', 'location',
      'lat', (regexp_match("body", '\((-?[0-9]+(?:\.[0-9]+)?), ?(-?[0-9]+(?:\.[0-9]+)?)\)\s*$'))[1]::float8,
      'lng', (regexp_match("body", '\((-?[0-9]+(?:\.[0-9]+)?), ?(-?[0-9]+(?:\.[0-9]+)?)\)\s*$'))[2]::float8,
      'name', left(nullif(btrim(split_part(regexp_replace("body", '\s*\([^()]*\)\s*$', ''), E'\n', 1)), ''), 1000),
      'address', left(nullif(btrim(split_part(regexp_replace("body", '\s*\([^()]*\)\s*$', ''), E'\n', 2)), ''), 1000)))
  -- Contact cards: the vCards, one after another; each card's FN and TEL lines (a TEL's waid first).
  WHEN "type" = 'contact' AND "body" LIKE '%BEGIN:VCARD%' THEN
    jsonb_build_object('kind', 'contacts', 'contacts', (
      SELECT jsonb_agg(jsonb_build_object(
        'name', left(coalesce(btrim((regexp_match(card.v, '(?:^|\n)(?:item[0-9]+\.)?FN[^:\n]*:([^\r\n]*)'))[1]), ''), 1000),
        'phones', coalesce((
          SELECT jsonb_agg(coalesce('+' || (regexp_match(tel.m[1], 'waid=([0-9]+)', 'i'))[1], left(btrim(tel.m[2]), 100)))
          FROM (SELECT m FROM regexp_matches(card.v, '(?:^|\n)(?:item[0-9]+\.)?TEL([^:\n]*):([^\r\n]*)', 'g') m LIMIT 20) tel
        ), '[]'::jsonb),
        'vcard', left(card.v, 16384)) ORDER BY card.n)
      FROM (SELECT c[1] AS v, row_number() OVER () AS n
            FROM regexp_matches("body", '(BEGIN:VCARD.*?END:VCARD)', 'g') c LIMIT 50) card))
  WHEN "type" = 'text' THEN jsonb_build_object('kind', 'text', 'text', left("body", 65536))
  ELSE jsonb_build_object('kind', 'unknown', 'engineType', left("type", 100))
    || CASE WHEN "body" <> '' THEN jsonb_build_object('text', left("body", 65536)) ELSE '{}'::jsonb END
END
WHERE "content" IS NULL;
