/*
 * tandem-probe.c - the containers' health check: GET a path of the service in
 * the same container and exit 0 when it answers 200.
 *
 *   tandem-probe [PATH]        PATH defaults to /healthz
 *
 * The address and port are the ones the service itself reads:
 * TANDEM_LISTEN_ADDR (default 127.0.0.1; a wildcard, 0.0.0.0 or ::, is probed
 * on loopback) and TANDEM_PORT (required: each image sets it).  Plain sockets
 * and libc only, so that the gateway image, which has no libcurl, carries it
 * too.  Exit status: 0 healthy, 1 not healthy (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PROBE_TIMEOUT_S 3

/* The host to connect to for a listen address: loopback for a wildcard. */
static const char *
probe_host(const char *listen_addr)
{
        if (listen_addr == NULL || listen_addr[0] == '\0')
                return "127.0.0.1";
        if (strcmp(listen_addr, "0.0.0.0") == 0)
                return "127.0.0.1";
        if (strcmp(listen_addr, "::") == 0)
                return "::1";
        return listen_addr;
}

/* A port number 1..65535 in @s, else NULL. */
static const char *
probe_port(const char *s)
{
        char *end = NULL;
        long v;

        if (s == NULL || s[0] == '\0')
                return NULL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
                return NULL;
        return s;
}

/* A path that is safe to put on a request line: "/" then printable, no spaces. */
static int
path_ok(const char *p)
{
        size_t n = strlen(p);

        if (n == 0 || n > 200 || p[0] != '/')
                return 0;
        for (size_t i = 0; i < n; i++)
                if (p[i] <= ' ' || p[i] == 0x7f)
                        return 0;
        return 1;
}

/* A connected socket to host:port with send/receive timeouts, or -1. */
static int
probe_connect(const char *host, const char *port)
{
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
        struct timeval tv = { .tv_sec = PROBE_TIMEOUT_S };
        struct addrinfo *ai = NULL;
        int fd = -1;

        if (getaddrinfo(host, port, &hints, &ai) != 0) {
                fprintf(stderr, "tandem-probe: '%s' is not an IP address\n", host);
                goto out;
        }
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
                goto out;
        /* on Linux SO_SNDTIMEO also bounds connect() */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
                fprintf(stderr, "tandem-probe: connect to %s port %s: %s\n", host, port,
                        strerror(errno));
                close(fd);
                fd = -1;
        }
out:
        if (ai != NULL)
                freeaddrinfo(ai);
        return fd;
}

/* Sends the request and reads the status line; 0 when it says 200. */
static int
probe_get(int fd, const char *path)
{
        char req[320], line[64] = "";
        size_t got = 0;
        ssize_t n;
        int len;

        len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n"
                       "Connection: close\r\n\r\n", path);
        if (len < 0 || write(fd, req, (size_t)len) != (ssize_t)len) {
                fprintf(stderr, "tandem-probe: cannot send the request\n");
                return 1;
        }
        while (got < sizeof(line) - 1 && strchr(line, '\n') == NULL) {
                n = read(fd, line + got, sizeof(line) - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t)n;
                line[got] = '\0';
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "HTTP/1.", 7) == 0 && strncmp(line + 8, " 200 ", 5) == 0)
                return 0;
        fprintf(stderr, "tandem-probe: %s answered '%s'\n", path,
                line[0] != '\0' ? line : "(nothing)");
        return 1;
}

int
main(int argc, char **argv)
{
        const char *path = argc > 1 ? argv[1] : "/healthz";
        const char *host = probe_host(getenv("TANDEM_LISTEN_ADDR"));
        const char *port = probe_port(getenv("TANDEM_PORT"));
        int fd, rc;

        if (argc > 2 || !path_ok(path)) {
                fprintf(stderr, "usage: tandem-probe [PATH]   (PATH starts with /)\n");
                return 2;
        }
        if (port == NULL) {
                fprintf(stderr, "tandem-probe: TANDEM_PORT must be a port number 1-65535\n");
                return 2;
        }
        fd = probe_connect(host, port);
        if (fd < 0)
                return 1;
        rc = probe_get(fd, path);
        close(fd);
        return rc;
}
