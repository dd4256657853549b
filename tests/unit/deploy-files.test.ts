import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * Keeps the deployment files (Dockerfile, compose.yaml, deploy/) true to the app: the health
 * route and port they use, the commands they run, the variables they set, the Node they bring.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

const dockerfile = read("Dockerfile");
const entrypoint = read("deploy/docker-entrypoint.sh");
const healthcheck = read("deploy/healthcheck.mjs");
const compose = parse(read("compose.yaml"), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string>;
      healthcheck?: { test?: string[]; disable?: boolean };
      ports?: string[];
      depends_on?: Record<string, { condition: string }>;
    }
  >;
};
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { version?: string }> };

/** Every variable the app reads: the names in its env schemas (web, worker, media, engines). */
const appEnvSource = [
  "server/env.ts",
  "workers/env.ts",
  "server/media/env.ts",
  "workers/engines/wwebjs/config.ts",
  "workers/engines/baileys/config.ts",
]
  .filter((file) => existsSync(path.join(ROOT, file)))
  .map(read)
  .join("\n");

function dockerEnv(name: string): string | undefined {
  return new RegExp(`\\b${name}=(\\S+)`).exec(dockerfile.slice(dockerfile.lastIndexOf("FROM ")))?.[1];
}

describe("Dockerfile", () => {
  it("checks health on the app's /api/health at the port it exposes", () => {
    expect(existsSync(path.join(ROOT, "app/api/health/route.ts"))).toBe(true);
    expect(healthcheck).toContain("/api/health`");
    expect(dockerfile).toMatch(/HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "\/app\/deploy\/healthcheck\.mjs", "web"\]/);
    const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
    expect(exposed).toBe(dockerEnv("PORT"));
    // The web's own default port (server/web/server.ts) and the stack's.
    expect(read("server/web/server.ts")).toContain(`port: { type: "string", default: "${exposed}" }`);
    expect(healthcheck).toContain('env.PORT ?? "3000"');
  });

  it("takes its base as an ARG, defaulting to the official Debian image", () => {
    expect(dockerfile).toMatch(/^ARG BASE=debian:bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{BASE\} AS \w+$/gm)).toHaveLength(2);
  });

  it("runs as a user other than root, with tini as PID 1", () => {
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "/app/deploy/docker-entrypoint.sh"]');
  });

  it("installs Debian's Chromium where the wwebjs engine looks for it", () => {
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends chromium /);
    expect(dockerEnv("CHROMIUM_PATH")).toBe("/usr/bin/chromium");
    expect(read("workers/engines/wwebjs/config.ts")).toContain(
      'CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium")',
    );
  });

  it("brings the Node of the project's `node` devDependency (Node 24)", () => {
    const nodeVersion = lock.packages["node_modules/node"]?.version;
    expect(nodeVersion).toMatch(/^24\./);
    expect(dockerfile).toContain(`ARG NODE_VERSION=${nodeVersion}`);
    expect(packageJson.engines.node).toBe(">=24 <25");
    expect(dockerfile).toContain("node_modules/.bin/node --version | grep -q '^v24\\.'");
    expect(dockerEnv("PATH")).toMatch(/^\/app\/node_modules\/\.bin:/);
  });

  it("keeps node_modules, builds and test output out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
    for (const entry of ["node_modules", ".next", ".data", ".git", "test-results", "playwright-report", "coverage"])
      expect(ignored).toContain(entry);
    // The image needs these at run time.
    for (const needed of ["deploy", "server", "workers", "db", "app", "package-lock.json"])
      expect(ignored).not.toContain(needed);
  });
});

describe("the image's commands", () => {
  it.each([
    ["web", "web"],
    ["worker", "worker"],
    ["migrate", "db:migrate"],
  ])("`%s` runs what `npm run %s` runs", (command, script) => {
    const file = /node --import tsx (\S+\.ts)/.exec(packageJson.scripts[script] ?? "")?.[1];
    expect(file).toBeDefined();
    const branch = new RegExp(`\\n  ${command}\\)\\n[^;]*exec node --import tsx ${file!.replace(".", "\\.")}`);
    expect(entrypoint).toMatch(branch);
    expect(existsSync(path.join(ROOT, file!))).toBe(true);
  });
});

describe("compose.yaml", () => {
  const { services } = compose;

  it("has Postgres, a migration, the web and several workers, each running its command", () => {
    expect(Object.keys(services).sort()).toEqual(["migrate", "postgres", "web", "worker"]);
    expect(services.web?.command).toEqual(["web"]);
    expect(services.worker?.command).toEqual(["worker"]);
    expect(services.migrate?.command).toEqual(["migrate"]);
    expect(read("compose.yaml")).toMatch(/worker:[\s\S]*replicas: [2-9]/);
    for (const name of ["web", "worker"])
      expect(services[name]?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
  });

  it("checks the web as the image does, and publishes the port the image exposes", () => {
    expect(services.web?.healthcheck?.test).toEqual(["CMD", "node", "/app/deploy/healthcheck.mjs", "web"]);
    expect(services.worker?.healthcheck?.test).toEqual(["CMD", "node", "/app/deploy/healthcheck.mjs", "worker"]);
    const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
    expect(services.web?.ports).toEqual([`127.0.0.1:${exposed}:${exposed}`]);
  });

  it("sets the required variables and only names the app reads", () => {
    for (const name of ["web", "worker", "migrate"]) {
      const environment = services[name]?.environment ?? {};
      expect(environment.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(environment.APP_SECRET).toContain(":?");
      for (const variable of Object.keys(environment)) {
        expect(appEnvSource, `${variable} is read by the app`).toMatch(new RegExp(`\\b${variable}\\b`));
      }
    }
  });
});

describe("systemd units", () => {
  it.each([
    ["deploy/systemd/switchboard-web.service", "server/web/server.ts"],
    ["deploy/systemd/switchboard-worker@.service", "workers/main.ts"],
  ])("%s runs %s on the project's Node", (unit, file) => {
    const text = read(unit);
    expect(text).toContain(`ExecStart=/opt/switchboard/node_modules/.bin/node --import tsx ${file}`);
    expect(existsSync(path.join(ROOT, file))).toBe(true);
    expect(text).toMatch(/^User=switchboard$/m);
    expect(text).toMatch(/^NoNewPrivileges=yes$/m);
    expect(text).toMatch(/^ProtectSystem=strict$/m);
    // V8's JIT writes executable memory.
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });
});
