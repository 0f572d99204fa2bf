# One image for every c360 process; the command picks the app.
#   docker build -t c360 .
#   docker run --rm -p 3000:3000 -e HOST=0.0.0.0 c360                      # all-in-one
#   docker run --rm c360 node -r ./scripts/register.cjs apps/ingestor/src/main.ts
# The operator console is built with the dev toolchain (Vite) in its own stage; only its static
# files reach the runtime image.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY apps/console ./apps/console
RUN npm run build:console

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/cli/package.json apps/cli/package.json
COPY apps/cli/bin apps/cli/bin
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
COPY --from=console /app/apps/console/dist ./apps/console/dist
USER node
EXPOSE 3000
CMD ["node", "-r", "./scripts/register.cjs", "apps/platform/src/main.ts"]
