/*
 * quiet.c - quiet hours and weekends in the recipient's own wall time, pure.
 *
 * The local weekday and minute come from PostgreSQL (`now() AT TIME ZONE
 * tz`, the same tz database that people checked the zone name against), so
 * no thread here touches TZ or localtime: what remains is arithmetic on a
 * week of minutes.
 */
#include <ctype.h>

#include "nudge.h"

#define DAY_MINUTES 1440
#define WEEK_MINUTES (7 * DAY_MINUTES)

bool
quiet_is_quiet(const struct quiet_hours *q, int isodow, int minute)
{
        if (q->weekends && (isodow == 6 || isodow == 7))
                return true;
        if (q->start == q->end)
                return false;
        if (q->start < q->end)
                return minute >= q->start && minute < q->end;
        return minute >= q->start || minute < q->end;      /* across midnight */
}

int
quiet_wait_minutes(const struct quiet_hours *q, int isodow, int minute)
{
        /* at most a week of minutes: bounded, and clearer than case analysis */
        for (int waited = 0; waited <= WEEK_MINUTES; waited++) {
                int m = minute + waited;
                int dow = (isodow - 1 + m / DAY_MINUTES) % 7 + 1;

                if (!quiet_is_quiet(q, dow, m % DAY_MINUTES))
                        return waited;
        }
        return -1;
}

int
quiet_parse_hhmm(const char *s)
{
        int h, m;

        if (s == NULL || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])
            || s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4])
            || s[5] != '\0')
                return -1;
        h = (s[0] - '0') * 10 + (s[1] - '0');
        m = (s[3] - '0') * 10 + (s[4] - '0');
        if (h > 23 || m > 59)
                return -1;
        return h * 60 + m;
}
