#!/bin/sh
# The image's entry point (under tini): `web`, `worker` or `migrate`, else any command.
# Runs the TypeScript sources with tsx on the project's Node 24 (node_modules/.bin is first on PATH).
set -eu
cd /app
# npm sets this for `npm run …` (the worker shows it in its heartbeat); the image runs without npm.
npm_package_version="${npm_package_version:-$(node -p 'require("/app/package.json").version')}"
export npm_package_version
case "${1:-web}" in
  web)
    [ "$#" -gt 0 ] && shift
    exec node --import tsx server/web/server.ts --port "${PORT:-3000}" --hostname "${HOST:-0.0.0.0}" "$@"
    ;;
  worker)
    shift
    exec node --import tsx workers/main.ts "$@"
    ;;
  migrate)
    shift
    exec node --import tsx server/stack/migrate.ts "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
