import js from "@eslint/js";
import drizzle from "eslint-plugin-drizzle";
import nextVitals from "eslint-config-next/core-web-vitals";
import tseslint from "typescript-eslint";

/** Import boundaries of the layout in docs/architecture.md: who may import whom. */
const boundaries = [
  {
    files: ["db/**"],
    patterns: [
      { group: ["~/app/*", "~/components/*", "~/server/*", "~/workers/*"], message: "db/ imports nothing of ours." },
    ],
  },
  {
    files: ["server/**"],
    patterns: [
      {
        group: ["~/app/*", "~/components/*", "~/workers/*"],
        message: "server/ is shared by web and worker: it imports only db/.",
      },
    ],
  },
  {
    files: ["app/**", "components/**"],
    patterns: [{ group: ["~/workers/*"], message: "The web never imports the worker: send a job instead." }],
    paths: [
      {
        name: "~/server/logger",
        importNames: ["createLogger"],
        message: "The web logs through webLogger(name), at its LOG_LEVEL.",
      },
    ],
  },
  {
    files: ["workers/**"],
    patterns: [{ group: ["~/app/*", "~/components/*"], message: "The worker never imports the web." }],
  },
];
const webOnlyPackages = {
  group: ["next", "next/*", "next-auth", "next-auth/*", "next-intl", "next-intl/*", "@trpc/*", "react", "react-dom"],
  message:
    "Only app/, components/, server/api and server/auth use the web stack, so the worker can load every domain module.",
};
const workerOnlyPackages = {
  group: ["whatsapp-web.js", "puppeteer", "puppeteer-core"],
  message: "Only workers/ drives WhatsApp Web.",
};

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "db/migrations/**",
      "next-env.d.ts",
      "coverage/**",
      "**/*.tmp.ts",
    ],
  },
  ...nextVitals,
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { drizzle },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through server/env.ts or workers/env.ts." },
      ],
      "no-restricted-imports": ["error", { patterns: [workerOnlyPackages] }],
    },
  },
  ...boundaries.map(({ files, patterns, paths = [] }) => ({
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths,
          patterns: [
            ...patterns,
            ...(files[0] === "workers/**" ? [] : [workerOnlyPackages]),
            ...(files[0] === "app/**" ? [] : [webOnlyPackages]),
          ],
        },
      ],
    },
  })),
  {
    // The web stack's own corners of server/ (server/web: the web process's entry; the request's language).
    files: [
      "server/api/**",
      "server/auth/**",
      "server/web/**",
      "server/i18n/request.ts",
      "server/i18n/app-config.d.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [workerOnlyPackages] }] },
  },
  {
    // The only readers of process.env: the env modules, the launcher (passes it on to children) and tests' harness and runner.
    files: [
      "server/env.ts",
      "workers/env.ts",
      "server/stack/**",
      "tests/support/**",
      "tests/bench/**",
      "tests/e2e/**",
      "tests/run.ts",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: ["**/*.test.ts", "tests/**"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
      // expect.any() / expect.stringContaining() are typed `any` by design.
      "@typescript-eslint/no-unsafe-assignment": "off",
      // `useTestDatabase()` is a fixture, not a React hook.
      "react-hooks/rules-of-hooks": "off",
    },
  },
  { files: ["**/*.js", "**/*.mjs", "**/*.cjs"], ...tseslint.configs.disableTypeChecked },
);
