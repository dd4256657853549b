import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` reads this; migrations are applied by db/migrate.ts on start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  casing: "snake_case",
  schemaFilter: ["public"],
  strict: true,
});
