# The example customer-support service (examples/support-service), started with the otel-sentry-bridge bootstrap.
# Build from the repository root: docker build -t otel-sentry-bridge/support .   (ops/docker-compose.yml builds it
# as `app`). The workspace installs the library and the example together; the image runs the example's dist.
FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY examples/support-service/package.json examples/support-service/tsconfig.json ./examples/support-service/
COPY instrumentation ./instrumentation
COPY src ./src
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY examples/support-service/src ./examples/support-service/src
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0 \
    DATABASE_PATH=/data/support.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
# node_modules/otel-sentry-bridge is the workspace's link to /app: the example imports the library by name.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/examples/support-service/package.json ./examples/support-service/package.json
COPY --from=build /app/examples/support-service/dist ./examples/support-service/dist
COPY examples/support-service/knowledge ./examples/support-service/knowledge
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
WORKDIR /app/examples/support-service
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "otel-sentry-bridge/register", "dist/main.js"]
