# syntax=docker/dockerfile:1
# One image for the four services (a different command each): one build to cache, one image to scan and ship.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# A C compiler and GMP's headers for the optional native arithmetic (lib/math/native): npm ci builds it. Where
# Debian's mirrors cannot be reached the image still builds, and the math subgraph uses JavaScript BigInt.
RUN (apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev libgmp-dev >/dev/null \
     && rm -rf /var/lib/apt/lists/*) || echo "no C compiler: the image uses JavaScript BigInt for big results"
COPY package.json package-lock.json ./
COPY scripts/build-native.js scripts/build-native.js
COPY lib/math/native lib/math/native
RUN npm ci --no-audit --no-fund && mkdir -p lib/math/native/build
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
COPY scripts/build-native.js scripts/build-native.js
# The native addon comes from the build stage: this stage has no compiler.
RUN BIGNUM_NATIVE=off npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
# The node flags every service runs with (lib/process/node-flags.ts, as npm start runs them): a larger young generation.
ENV NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /app
COPY --from=production-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The GMP addon, if the build stage could build it (libgmp10 is part of the base image).
COPY --from=build /app/lib/math/native/build lib/math/native/build
COPY package.json supergraph.graphql ./
COPY proto proto
COPY subgraphs/math/schema.graphql subgraphs/math/schema.graphql
COPY subgraphs/primes/schema.graphql subgraphs/primes/schema.graphql
# The pages' own scripts and styles, and the example operations the home page and GraphiQL use.
COPY gateway/public gateway/public
COPY examples examples
USER node
# node is PID 1 (exec form, no shell) and handles SIGTERM itself: not-ready, drain, exit 0.
STOPSIGNAL SIGTERM
# SERVICE (factorial, math, primes or gateway) says which endpoint to probe.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
EXPOSE 4000 4001 4002 50051 9464 9465
CMD ["node", "dist/gateway/src/main.js"]
