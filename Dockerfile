# Tandem's images, from this one multi-stage Dockerfile (the build context is
# the repository):
#
#   docker build --build-arg SERVICE=people --build-arg PORT=8081 -t tandem/people .
#   docker build --target gateway -t tandem/gateway .
#
#   build    debian:bookworm with the -dev packages: compiles every service and
#            the tools once (the stage is the same for every image, so it is
#            built once and cached)
#   base     debian:bookworm-slim, the non-root user tandem (uid 10001) and the
#            health check probe (tools/tandem-probe.c, libc only)
#   gateway  base + nginx-light + the gateway configuration template, rendered
#            from the environment at start (deploy/docker/gateway-entrypoint.sh)
#   service  base + the runtime libraries only + one service's binary (SERVICE);
#            the default target
#
# Every image runs as uid 10001, writes nothing outside /tmp (run it with a
# read-only root filesystem and a tmpfs or emptyDir on /tmp), has a HEALTHCHECK
# on /healthz and drains in-flight requests on SIGTERM (the gateway: SIGQUIT,
# nginx's graceful stop).  Adding a service needs no change here.

FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        gcc make libc6-dev pkg-config \
        libulfius-dev libjansson-dev libpq-dev libssl-dev libcurl4-gnutls-dev \
        libyder-dev liborcania-dev libmicrohttpd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY tools tools
COPY shared shared
COPY services services
# no -g: the images carry no debug information
RUN make -j"$(nproc)" OPT=-O2 all && strip build/bin/*

FROM debian:bookworm-slim AS base
RUN groupadd --system --gid 10001 tandem \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin tandem
COPY --from=build /src/build/bin/tandem-probe /usr/local/bin/

FROM base AS gateway
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* /var/www/html
COPY deploy/local/lib.sh /opt/tandem/deploy/local/lib.sh
COPY deploy/nginx/tandem.conf.template /opt/tandem/deploy/nginx/tandem.conf.template
COPY deploy/docker/gateway-entrypoint.sh /usr/local/bin/tandem-gateway
ENV TANDEM_LISTEN_ADDR=0.0.0.0 TANDEM_PORT=8080
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
        CMD ["tandem-probe", "/healthz"]
STOPSIGNAL SIGQUIT
ENTRYPOINT ["tandem-gateway"]

FROM base AS service
# Debian 12's names of the libraries the binaries link (apt-cache policy
# libulfius2.7 ...); the ldd check below fails the build if one is missing.
# tini is PID 1: the kernel drops a SIGTERM sent to a namespace's PID 1 that
# has no handler for it, so a service still starting (before its signal
# thread runs) would otherwise ignore docker stop until SIGKILL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libulfius2.7 libjansson4 libpq5 libcurl3-gnutls libssl3 \
        libmicrohttpd12 liborcania2.3 libyder2.0 tini \
 && rm -rf /var/lib/apt/lists/* /usr/bin/tini-static
COPY --from=build /src/build/bin/tandem-token /usr/local/bin/
ARG SERVICE
ARG PORT
RUN test -n "$SERVICE" && test -n "$PORT" \
        || { echo "build with --build-arg SERVICE=<name> --build-arg PORT=<port>" >&2; exit 1; }
COPY --from=build /src/build/bin/tandem-${SERVICE} /usr/local/bin/
RUN ln -s "tandem-$SERVICE" /usr/local/bin/tandem-service \
 && if ldd /usr/local/bin/tandem-* | grep 'not found'; then exit 1; fi
LABEL org.opencontainers.image.title="tandem-${SERVICE}"
ENV TANDEM_LISTEN_ADDR=0.0.0.0 TANDEM_PORT=${PORT}
EXPOSE ${PORT}
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
        CMD ["tandem-probe", "/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "tandem-service"]
