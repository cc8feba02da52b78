# syntax=docker/dockerfile:1
# The Supaplane control plane. Built by docker-compose.yml, or by hand:
#   docker build -t supaplane:0.1.0 .
# The server runs the same esbuild bundle as `npm start` (dist/main.mjs); the
# `supaplane` CLI runs its TypeScript sources through tsx, a runtime dependency.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# 1. Every dependency (esbuild is a dev dependency), to bundle src/ into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime image: no compilers, no dev dependencies, not root.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SUPAPLANE_DATA_DIR=/var/lib/supaplane
# Backups run the pg_dump/pg_restore of each project's Postgres major: 15 (template v1)
# and 17 (template v2), from PGDG (Debian bookworm ships 15 only). postgresql-common
# carries PGDG's signing key and the script that adds its apt source.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y -q --no-install-recommends postgresql-client-15 postgresql-client-17 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY coolify-templates ./coolify-templates
COPY src ./src
COPY bin ./bin
COPY docker/init-secrets.mjs ./docker/init-secrets.mjs
# The secrets dir exists in the image so a fresh named volume mounted there is owned by `node`.
RUN ln -s /app/bin/supaplane.mjs /usr/local/bin/supaplane \
 && mkdir -p /var/lib/supaplane/secrets \
 && chown -R node:node /var/lib/supaplane
USER node
EXPOSE 8080
# /ready: the database answers and the job workers run (src/app.ts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+(process.env.SUPAPLANE_BASE_PATH||'')+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/main.mjs"]
