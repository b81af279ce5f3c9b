/*
 * ssrf.c - where a webhook may be delivered: the class of an address
 * (public, loopback, private, link-local, unique local, reserved) and the
 * allow list of TANDEM_WEBHOOK_ALLOW.  Pure; unit-tested
 * (tests/unit/test_notify_ssrf.c).  deliver.c applies it to the very address
 * libcurl connects to, so a name that resolves elsewhere later (DNS
 * rebinding) gains nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"
#include "webhooks.h"

struct net4 {
        uint32_t net;
        unsigned prefix;
        enum wh_addr_class cls;
};

/* Every IPv4 range that is not the public internet (RFC 6890 and friends). */
static const struct net4 v4_ranges[] = {
        { 0x00000000u, 8, WH_ADDR_RESERVED },     /* "this network" */
        { 0x0a000000u, 8, WH_ADDR_PRIVATE },
        { 0x64400000u, 10, WH_ADDR_PRIVATE },     /* carrier-grade NAT */
        { 0x7f000000u, 8, WH_ADDR_LOOPBACK },
        { 0xa9fe0000u, 16, WH_ADDR_LINK_LOCAL },  /* and the cloud metadata service */
        { 0xac100000u, 12, WH_ADDR_PRIVATE },
        { 0xc0000000u, 24, WH_ADDR_RESERVED },    /* IETF protocol assignments */
        { 0xc0000200u, 24, WH_ADDR_RESERVED },    /* documentation */
        { 0xc0586300u, 24, WH_ADDR_RESERVED },    /* 6to4 relay anycast */
        { 0xc0a80000u, 16, WH_ADDR_PRIVATE },
        { 0xc6120000u, 15, WH_ADDR_RESERVED },    /* benchmarking */
        { 0xc6336400u, 24, WH_ADDR_RESERVED },    /* documentation */
        { 0xcb007100u, 24, WH_ADDR_RESERVED },    /* documentation */
        { 0xe0000000u, 4, WH_ADDR_RESERVED },     /* multicast */
        { 0xf0000000u, 4, WH_ADDR_RESERVED },     /* reserved and broadcast */
};

static uint32_t
mask4(unsigned prefix)
{
        return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

static enum wh_addr_class
classify4(uint32_t a)
{
        for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++)
                if ((a & mask4(v4_ranges[i].prefix)) == v4_ranges[i].net)
                        return v4_ranges[i].cls;
        return WH_ADDR_PUBLIC;
}

static uint32_t
load4(const unsigned char *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An IPv4 address carried inside @a (mapped, compatible, NAT64, 6to4), or 0 with *ok 0. */
static uint32_t
embedded4(const unsigned char a[16], int *ok)
{
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
        static const unsigned char zero[12] = { 0 };

        *ok = 1;
        if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
                return load4(a + 12);
        if (memcmp(a, zero, 12) == 0 && load4(a + 12) > 1)     /* deprecated ::a.b.c.d */
                return load4(a + 12);
        if (a[0] == 0x20 && a[1] == 0x02)                       /* 6to4: 2002:aabb:ccdd:: */
                return load4(a + 2);
        *ok = 0;
        return 0;
}

static enum wh_addr_class
classify6(const unsigned char a[16])
{
        static const unsigned char loop[16] = { [15] = 1 };
        static const unsigned char any[16] = { 0 };
        int ok = 0;
        uint32_t v4 = embedded4(a, &ok);

        if (memcmp(a, loop, 16) == 0)
                return WH_ADDR_LOOPBACK;
        if (memcmp(a, any, 16) == 0)
                return WH_ADDR_RESERVED;
        if (ok)
                return classify4(v4);
        if ((a[0] & 0xfe) == 0xfc)
                return WH_ADDR_ULA;
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return WH_ADDR_LINK_LOCAL;
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)            /* site-local (deprecated) */
                return WH_ADDR_PRIVATE;
        if (a[0] == 0xff)                                        /* multicast */
                return WH_ADDR_RESERVED;
        if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)   /* documentation */
                return WH_ADDR_RESERVED;
        if (a[0] == 0x01 && a[1] == 0x00 && load4(a + 2) == 0 && a[6] == 0 && a[7] == 0)
                return WH_ADDR_RESERVED;                         /* discard-only 100::/64 */
        if ((a[0] & 0xe0) != 0x20)                               /* outside 2000::/3 */
                return WH_ADDR_RESERVED;
        return WH_ADDR_PUBLIC;
}

enum wh_addr_class
wh_addr_classify(const struct sockaddr *sa)
{
        if (sa->sa_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

                return classify4(ntohl(in->sin_addr.s_addr));
        }
        if (sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

                return classify6(in6->sin6_addr.s6_addr);
        }
        return WH_ADDR_RESERVED;
}

const char *
wh_addr_class_name(enum wh_addr_class c)
{
        static const char *const names[] = { "public", "loopback", "private", "link-local",
                                             "unique local", "reserved" };

        return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "reserved";
}

/* ---- the allow list --------------------------------------------------------------- */

static int
add_net(struct wh_allow *a, int family, const void *addr, unsigned prefix)
{
        if (a->nnets >= WH_ALLOW_MAX)
                return ST_INVALID;
        a->nets[a->nnets].family = family;
        memset(a->nets[a->nnets].addr, 0, 16);
        memcpy(a->nets[a->nnets].addr, addr, family == AF_INET ? 4 : 16);
        a->nets[a->nnets].prefix = prefix;
        a->nnets++;
        return ST_OK;
}

static int
add_cidr(struct wh_allow *a, const char *text)
{
        unsigned char addr[16];
        char host[64];
        const char *slash = strchr(text, '/');
        size_t n = slash != NULL ? (size_t)(slash - text) : strlen(text);
        int family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
        unsigned max = family == AF_INET ? 32 : 128, prefix = max;
        char *end = NULL;

        if (n == 0 || n >= sizeof(host))
                return ST_INVALID;
        memcpy(host, text, n);
        host[n] = '\0';
        if (inet_pton(family, host, addr) != 1)
                return ST_INVALID;
        if (slash != NULL) {
                long v = strtol(slash + 1, &end, 10);

                if (end == slash + 1 || *end != '\0' || v < 0 || v > (long)max)
                        return ST_INVALID;
                prefix = (unsigned)v;
        }
        return add_net(a, family, addr, prefix);
}

static int
host_name_ok(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 253)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-'))
                        return 0;
        return 1;
}

static int
add_host(struct wh_allow *a, const char *s)
{
        char *h;

        if (a->nhosts >= WH_ALLOW_MAX || !host_name_ok(s) || (h = strdup(s)) == NULL)
                return ST_INVALID;
        for (char *p = h; *p != '\0'; p++)
                *p = (char)tolower((unsigned char)*p);
        a->hosts[a->nhosts++] = h;
        return ST_OK;
}

static int
add_entry(struct wh_allow *a, const char *e)
{
        static const char *const loopback[] = { "127.0.0.0/8", "::1/128", NULL };
        static const char *const private_nets[] = { "10.0.0.0/8", "172.16.0.0/12",
                                                    "192.168.0.0/16", "100.64.0.0/10",
                                                    "fc00::/7", NULL };
        const char *const *set = strcmp(e, "loopback") == 0 ? loopback
                                 : strcmp(e, "private") == 0 ? private_nets : NULL;

        if (set != NULL) {
                for (; *set != NULL; set++)
                        if (add_cidr(a, *set) != ST_OK)
                                return ST_INVALID;
                return ST_OK;
        }
        if (strchr(e, ':') != NULL || strchr(e, '/') != NULL || isdigit((unsigned char)e[0]))
                return add_cidr(a, e);
        return add_host(a, e);
}

int
wh_allow_parse(const char *s, struct wh_allow *out, char *why, size_t whylen)
{
        char item[256];

        memset(out, 0, sizeof(*out));
        while (s != NULL && *s != '\0') {
                const char *end = strchr(s, ',');
                size_t n = end != NULL ? (size_t)(end - s) : strlen(s);

                while (n > 0 && (*s == ' ' || *s == '\t')) {
                        s++;
                        n--;
                }
                while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                        n--;
                if (n >= sizeof(item))
                        n = sizeof(item) - 1;
                memcpy(item, s, n);
                item[n] = '\0';
                if (n > 0 && add_entry(out, item) != ST_OK) {
                        snprintf(why, whylen, "'%s' is not loopback, private, a CIDR, an address"
                                 " or a host name (at most %d of each)", item, WH_ALLOW_MAX);
                        wh_allow_release(out);
                        return ST_INVALID;
                }
                s = end != NULL ? end + 1 : NULL;
        }
        return ST_OK;
}

void
wh_allow_release(struct wh_allow *a)
{
        if (a == NULL)
                return;
        for (unsigned i = 0; i < a->nhosts; i++)
                free(a->hosts[i]);
        memset(a, 0, sizeof(*a));
}

static int
prefix_match(const unsigned char *x, const unsigned char *net, unsigned prefix)
{
        unsigned whole = prefix / 8, rest = prefix % 8;

        if (memcmp(x, net, whole) != 0)
                return 0;
        if (rest == 0)
                return 1;
        return ((x[whole] ^ net[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int
allowed_addr(const struct wh_allow *a, const struct sockaddr *sa)
{
        unsigned char v4[4], v6[16];
        int has4 = 0, has6 = 0;

        if (sa->sa_family == AF_INET) {
                memcpy(v4, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
                has4 = 1;
        } else if (sa->sa_family == AF_INET6) {
                int ok = 0;
                uint32_t e;

                memcpy(v6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
                has6 = 1;
                e = embedded4(v6, &ok);
                if (ok) {
                        uint32_t be = htonl(e);

                        memcpy(v4, &be, 4);
                        has4 = 1;
                }
        }
        for (unsigned i = 0; i < a->nnets; i++) {
                if (a->nets[i].family == AF_INET && has4
                    && prefix_match(v4, a->nets[i].addr, a->nets[i].prefix))
                        return 1;
                if (a->nets[i].family == AF_INET6 && has6
                    && prefix_match(v6, a->nets[i].addr, a->nets[i].prefix))
                        return 1;
        }
        return 0;
}

static int
allowed_host(const struct wh_allow *a, const char *host)
{
        for (unsigned i = 0; i < a->nhosts; i++)
                if (strcasecmp(a->hosts[i], host) == 0)
                        return 1;
        return 0;
}

int
wh_target_check(const struct wh_allow *a, const char *host, bool https,
                const struct sockaddr *sa, char *why, size_t whylen)
{
        enum wh_addr_class cls = wh_addr_classify(sa);
        char text[INET6_ADDRSTRLEN] = "?";
        const void *raw = sa->sa_family == AF_INET
                          ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
                          : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

        if (allowed_host(a, host) || allowed_addr(a, sa))
                return ST_OK;
        if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
                inet_ntop(sa->sa_family, raw, text, sizeof(text));
        if (cls != WH_ADDR_PUBLIC) {
                snprintf(why, whylen, "%s is a %s address, refused unless TANDEM_WEBHOOK_ALLOW"
                         " allows it", text, wh_addr_class_name(cls));
                return ST_FORBIDDEN;
        }
        if (!https) {
                snprintf(why, whylen, "must use https (http only to a target"
                         " TANDEM_WEBHOOK_ALLOW names)");
                return ST_FORBIDDEN;
        }
        return ST_OK;
}
