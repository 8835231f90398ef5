# Vigil: one image for `vigil serve` (the default) and `vigil worker`.
# Build: docker build -t vigil .   Run: see docker-compose.yml (PostgreSQL with pgvector beside it).

# Dependencies only (production ones; postinstall applies patches/ to postgres.js).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

# The runtime: sources run through tsx (a runtime dependency), no build step.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    VIGIL_DATA_DIR=/data \
    PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
# What `vigil init` writes into a repository (the retraining workflow and its report action), and
# the GitHub App's manifest GET /github/setup sends.
COPY actions ./actions
COPY app.yml ./
# The embedded database (when DATABASE_URL is unset) lives in /data, owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/vigil.js"]
CMD ["serve"]
