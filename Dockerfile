# One image for the three services (a different command each): one build to cache, one image to scan and ship.
# syntax=docker/dockerfile:1

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.ts ./
COPY generated generated
COPY lib lib
COPY services services
COPY subgraphs subgraphs
COPY gateway gateway
COPY scripts/healthcheck.ts scripts/healthcheck.ts
RUN npm run build

FROM node:24-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json supergraph.graphql ./
COPY proto proto
COPY subgraphs/math/schema.graphql subgraphs/math/schema.graphql
USER node
# node is PID 1 (exec form, no shell) and handles SIGTERM itself: not-ready, drain, exit 0.
STOPSIGNAL SIGTERM
# SERVICE (factorial, math or gateway) says which endpoint to probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
EXPOSE 4000 4001 50051 9464
CMD ["node", "dist/gateway/src/main.js"]
