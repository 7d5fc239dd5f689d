# syntax=docker/dockerfile:1
# Multi-stage build of the fraud-scoring service. The same image runs `fraudctl serve` (default)
# and scheduled retraining (`fraudctl retrain`), which is why the runtime stage has libxgboost0.

FROM node:20-bookworm-slim AS toolchain
# better-sqlite3 is compiled from source (its prebuilt download is not reachable from every network).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./

FROM toolchain AS build
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY features ./features
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin fraud \
 && mkdir -p /var/lib/fraud \
 && chown fraud:fraud /var/lib/fraud
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/var/lib/fraud \
    MODEL_REGISTRY_DIR=/app/models \
    OMP_WAIT_POLICY=passive \
    NODE_OPTIONS=--max-semi-space-size=32
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY features/spec.generated.json ./features/spec.generated.json
COPY --chown=fraud:fraud models ./models
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "dist/src/cli/fraudctl.js"]
CMD ["serve"]
