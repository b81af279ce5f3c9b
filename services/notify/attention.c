/*
 * attention.c - the attention list's pure parts: who sees which reasons, and
 * its cursor.  No I/O; unit-tested (tests/unit/test_notify_attention.c).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "notify.h"
#include "status.h"

const char *const attention_reasons[] = {
        "stalled", "behind_own_plan", "write_up_owed", "section_review",
        "completion_verification", "integration_pending_review", "integration_returned", NULL,
};

int
attention_scope_of(unsigned roles, struct attention_scope *out)
{
        struct attention_scope s = { 0 };

        s.all = (roles & ROLE_ADMIN) != 0;
        if (!s.all) {
                s.mentor = (roles & ROLE_MENTOR) != 0;
                s.comms = (roles & ROLE_COMMS) != 0;
                s.partner = (roles & ROLE_PARTNER) != 0;
        }
        if (!s.all && !s.mentor && !s.comms && !s.partner)
                return ST_FORBIDDEN;
        *out = s;
        return ST_OK;
}

void
attention_cursor_encode(int64_t since_key, int64_t seq, char *out, size_t outlen)
{
        char a[32], b[32];

        cursor_encode(since_key, a, sizeof(a));
        cursor_encode(seq, b, sizeof(b));
        snprintf(out, outlen, "%s.%s", a, b);
}

int
attention_cursor_decode(const char *s, int64_t *since_key, int64_t *seq)
{
        const char *dot = s != NULL ? strchr(s, '.') : NULL;
        char a[32];
        int64_t x, y;

        if (dot == NULL || (size_t)(dot - s) >= sizeof(a))
                return ST_INVALID;
        memcpy(a, s, (size_t)(dot - s));
        a[dot - s] = '\0';
        if (cursor_decode(a, &x) != ST_OK || cursor_decode(dot + 1, &y) != ST_OK)
                return ST_INVALID;
        *since_key = x;
        *seq = y;
        return ST_OK;
}
