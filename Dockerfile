# The pipefy-sync worker (and, in the demo profile of docker-compose.yml, the
# Pipefy emulator). The project runs from its TypeScript sources under tsx, a
# dev dependency, so npm ci installs every dependency.
FROM node:20-bookworm-slim

# No update notifier, funding message or audit request from npm.
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY . .

# Staged pages and the DuckDB file; docker-compose.yml mounts a volume here
# that every worker replica shares.
RUN mkdir -p /data && chown node:node /data
ENV PIPEFY_SYNC_DATA_DIR=/data \
    PIPEFY_SYNC_CONFIG=/app/pipefy-sync.config.json \
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true \
    METADATA_SERVER_DETECTION=none

USER node
# Same as `npx tsx worker/main.ts`, without the npm wrapper, so SIGTERM
# reaches the worker and it stops polling before it exits.
CMD ["node", "--import", "tsx", "worker/main.ts"]
