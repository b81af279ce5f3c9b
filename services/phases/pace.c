/*
 * pace.c - where a partner stands against their own plan, computed at read
 * time from stored facts, and the small date and time parsing it needs.
 * Pure: no I/O, the clock is a parameter.  Unit-tested in tests/unit/test_phases_pace.c.
 */
#include <stdio.h>
#include <string.h>

#include "phases.h"
#include "status.h"

#define DAY_S 86400LL

static const char *const pace_names[] = {
        [PACE_NONE] = NULL,
        [PACE_ON_TRACK] = "on_track",
        [PACE_BEHIND] = "behind_own_plan",
        [PACE_STALLED] = "stalled",
        [PACE_PAUSED] = "paused",
};

static const char *const enrol_names[] = {
        [ENROL_ACTIVE] = "active",
        [ENROL_PAUSED] = "paused",
        [ENROL_WITHDRAWN] = "withdrawn",
        [ENROL_OPERATIONAL] = "operational",
};

static const char *const phase_names[] = {
        [PHASE_NOT_STARTED] = "not_started",
        [PHASE_IN_PROGRESS] = "in_progress",
        [PHASE_COMPLETED] = "completed",
};

const char *
pace_name(enum pace p)
{
        return (unsigned)p < sizeof(pace_names) / sizeof(pace_names[0]) ? pace_names[p] : NULL;
}

static int
name_index(const char *const *names, int n, const char *s)
{
        for (int i = 0; s != NULL && i < n; i++)
                if (strcmp(names[i], s) == 0)
                        return i;
        return -1;
}

int
enrol_status_parse(const char *s)
{
        return name_index(enrol_names, 4, s);
}

int
phase_status_parse(const char *s)
{
        return name_index(phase_names, 3, s);
}

/* The current phase: paused, then stalled, then behind the partner's own plan. */
static enum pace
pace_current(const struct pace_facts *f)
{
        if (f->enrolment == ENROL_PAUSED)
                return PACE_PAUSED;
        if (f->enrolment != ENROL_ACTIVE)
                return PACE_NONE;
        if (f->now - f->last_progress > (long long)f->stall_days * DAY_S)
                return PACE_STALLED;
        if (f->target_day != PACE_NO_DAY && pace_day_of(f->now) > f->target_day)
                return PACE_BEHIND;
        return PACE_ON_TRACK;
}

enum pace
pace_of(const struct pace_facts *f)
{
        switch (f->phase) {
        case PHASE_IN_PROGRESS:
                return pace_current(f);
        case PHASE_COMPLETED:
                /* finished: judged once, by the day it was completed */
                if (f->target_day != PACE_NO_DAY && f->completed_day > f->target_day)
                        return PACE_BEHIND;
                return PACE_ON_TRACK;
        case PHASE_NOT_STARTED:
                break;
        }
        return PACE_NONE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long
days_from_civil(long y, long m, long d)
{
        long era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

long
pace_day_of(long long epoch)
{
        long long d = epoch / DAY_S;

        if (epoch % DAY_S < 0)
                d--;
        return (long)d;
}

static bool
digits_at(const char *s, int n, long *out)
{
        long v = 0;

        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return true;
}

int
pace_parse_day(const char *s, long *day)
{
        static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        long y, m, d;

        if (s == NULL || strlen(s) < 10 || !digits_at(s, 4, &y) || s[4] != '-'
            || !digits_at(s + 5, 2, &m) || s[7] != '-' || !digits_at(s + 8, 2, &d))
                return ST_INVALID;
        if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
                return ST_INVALID;
        if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
                return ST_INVALID;
        *day = days_from_civil(y, m, d);
        return ST_OK;
}

/* Seconds east of UTC from "Z", "+hh", "+hh:mm" or "+hhmm" at @z. */
static int
zone_offset(const char *z, long *off)
{
        long h = 0, m = 0;
        size_t n = strlen(z);
        bool ok;

        if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0') {
                *off = 0;
                return ST_OK;
        }
        if ((z[0] != '+' && z[0] != '-') || !digits_at(z + 1, 2, &h))
                return ST_INVALID;
        if (n == 6 && z[3] == ':')
                ok = digits_at(z + 4, 2, &m);
        else if (n == 5)
                ok = digits_at(z + 3, 2, &m);
        else
                ok = n == 3;
        if (!ok || h > 23 || m > 59)
                return ST_INVALID;
        *off = (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
        return ST_OK;
}

int
pace_parse_time(const char *s, long long *epoch)
{
        long day, hh, mm, ss, off;
        const char *z;

        if (pace_parse_day(s, &day) != ST_OK || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
                return ST_INVALID;
        if (!digits_at(s + 11, 2, &hh) || s[13] != ':' || !digits_at(s + 14, 2, &mm)
            || s[16] != ':' || !digits_at(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
                return ST_INVALID;
        z = s + 19;
        if (*z == '.') {
                z++;
                while (*z >= '0' && *z <= '9')
                        z++;
        }
        if (zone_offset(z, &off) != ST_OK)
                return ST_INVALID;
        *epoch = (long long)day * DAY_S + hh * 3600 + mm * 60 + ss - off;
        return ST_OK;
}

/* Reads a phase's facts from its JSON; ST_INTERNAL when they are malformed. */
static int
phase_facts(const json_t *j_phase, struct pace_facts *f)
{
        const char *target = json_string_value(json_object_get(j_phase, "target_date"));
        const char *done = json_string_value(json_object_get(j_phase, "completed_at"));
        int status = phase_status_parse(json_string_value(json_object_get(j_phase, "status")));
        long long completed = 0;

        if (status < 0 || !json_is_integer(json_object_get(j_phase, "stall_days")))
                return ST_INTERNAL;
        f->phase = (enum phase_status)status;
        f->stall_days = (int)json_integer_value(json_object_get(j_phase, "stall_days"));
        f->target_day = PACE_NO_DAY;
        f->completed_day = PACE_NO_DAY;
        if (target != NULL && pace_parse_day(target, &f->target_day) != ST_OK)
                return ST_INTERNAL;
        if (done != NULL && pace_parse_time(done, &completed) != ST_OK)
                return ST_INTERNAL;
        if (done != NULL)
                f->completed_day = pace_day_of(completed);
        return ST_OK;
}

static json_t *
pace_json(enum pace p)
{
        return p == PACE_NONE ? json_null() : json_string(pace_name(p));
}

int
enrolment_annotate(json_t *j_enrolment, long long now)
{
        struct pace_facts f = { .now = now };
        json_t *j_phases = json_object_get(j_enrolment, "phases");
        json_int_t current = json_integer_value(json_object_get(j_enrolment, "current_position"));
        int status = enrol_status_parse(json_string_value(json_object_get(j_enrolment, "status")));
        const char *progress = json_string_value(json_object_get(j_enrolment, "last_progress_at"));
        enum pace overall = PACE_NONE, p;
        json_t *j_phase;
        size_t i;

        if (status < 0 || !json_is_array(j_phases)
            || pace_parse_time(progress, &f.last_progress) != ST_OK)
                return ST_INTERNAL;
        f.enrolment = (enum enrol_status)status;
        json_array_foreach(j_phases, i, j_phase) {
                if (phase_facts(j_phase, &f) != ST_OK)
                        return ST_INTERNAL;
                p = pace_of(&f);
                if (json_integer_value(json_object_get(j_phase, "position")) == current)
                        overall = f.phase == PHASE_IN_PROGRESS ? p : PACE_NONE;
                if (json_object_set_new(j_phase, "pace", pace_json(p)) != 0)
                        return ST_NOMEM;
        }
        return json_object_set_new(j_enrolment, "pace", pace_json(overall)) == 0 ? ST_OK : ST_NOMEM;
}
