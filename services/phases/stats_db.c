/*
 * stats_db.c - dashboard statistics: aggregates only, never a person.
 * Partners per phase and per pace (pace computed with pace_of from each open
 * enrolment's stored facts), median and 90th-percentile days in each phase,
 * and self-assessment growth per platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phases.h"
#include "status.h"

static json_int_t
col_int(const PGresult *res, int row, int col)
{
        return (json_int_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* A numeric column as a JSON number, or null. */
static json_t *
col_number(const PGresult *res, int row, int col)
{
        if (PQgetisnull(res, row, col))
                return json_null();
        return json_real(strtod(PQgetvalue(res, row, col), NULL));
}

static int
stats_status(PGconn *c, const char *const *params, json_t *j_out)
{
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_status", 2, params, &res);

        if (rc == ST_OK)
                rc = json_object_set_new(j_out, "enrolments", json_pack(
                        "{s:I, s:I, s:I, s:I}", "active", col_int(res, 0, 0),
                        "paused", col_int(res, 0, 1), "withdrawn", col_int(res, 0, 2),
                        "operational", col_int(res, 0, 3))) == 0 ? ST_OK : ST_NOMEM;
        PQclear(res);
        return rc;
}

/* The facts of one open enrolment's current phase, from a stats_pace row. */
static enum pace
row_pace(const PGresult *res, int i, long long now)
{
        struct pace_facts f = {
                .enrolment = strcmp(PQgetvalue(res, i, 0), "paused") == 0 ? ENROL_PAUSED
                                                                           : ENROL_ACTIVE,
                .phase = PHASE_IN_PROGRESS,
                .now = now,
                .last_progress = strtoll(PQgetvalue(res, i, 3), NULL, 10),
                .stall_days = (int)strtol(PQgetvalue(res, i, 4), NULL, 10),
                .target_day = PQgetisnull(res, i, 2) ? PACE_NO_DAY
                              : strtol(PQgetvalue(res, i, 2), NULL, 10),
                .completed_day = PACE_NO_DAY,
        };

        return pace_of(&f);
}

/* Counts open enrolments per pace (into @j_out) and per current phase (@j_per_phase). */
static int
stats_pace(PGconn *c, const char *const *params, long long now, json_t *j_out,
           json_t *j_per_phase)
{
        long long counts[PACE_PAUSED + 1] = { 0 };
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_pace", 2, params, &res);
        const char *key;
        json_int_t n;

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                counts[row_pace(res, i, now)]++;
                key = PQgetvalue(res, i, 1);
                n = json_integer_value(json_object_get(j_per_phase, key));
                if (json_object_set_new(j_per_phase, key, json_integer(n + 1)) != 0)
                        rc = ST_NOMEM;
        }
        PQclear(res);
        if (rc == ST_OK && json_object_set_new(j_out, "pace", json_pack(
                    "{s:I, s:I, s:I, s:I}", "on_track", (json_int_t)counts[PACE_ON_TRACK],
                    "behind_own_plan", (json_int_t)counts[PACE_BEHIND],
                    "stalled", (json_int_t)counts[PACE_STALLED],
                    "paused", (json_int_t)counts[PACE_PAUSED])) != 0)
                rc = ST_NOMEM;
        return rc;
}

static int
stats_phases(PGconn *c, const char *const *params, const json_t *j_per_phase, json_t *j_out)
{
        json_t *j_phases = json_array(), *j_partners;
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_phase_days", 2, params, &res);

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                j_partners = json_object_get(j_per_phase, PQgetvalue(res, i, 0));
                if (json_array_append_new(j_phases, json_pack(
                            "{s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "key", PQgetvalue(res, i, 0),
                            "name", PQgetvalue(res, i, 1), "position", col_int(res, i, 2),
                            "partners", json_integer_value(j_partners),
                            "completed", col_int(res, i, 3), "median_days",
                            col_number(res, i, 4), "p90_days", col_number(res, i, 5))) != 0)
                        rc = ST_NOMEM;
        }
        PQclear(res);
        if (json_object_set_new(j_out, "phases", j_phases) != 0 && rc == ST_OK)
                rc = ST_NOMEM;
        return rc;
}

static int
stats_growth(PGconn *c, const char *const *params, json_t *j_out)
{
        json_t *j_growth = json_array();
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_growth", 2, params, &res);

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                if (json_array_append_new(j_growth, json_pack(
                            "{s:s, s:I, s:o, s:o}", "platform", PQgetvalue(res, i, 0),
                            "partners", col_int(res, i, 1), "confidence_change",
                            col_number(res, i, 2), "capability_change",
                            col_number(res, i, 3))) != 0)
                        rc = ST_NOMEM;
        }
        PQclear(res);
        if (json_object_set_new(j_out, "assessment_growth", j_growth) != 0 && rc == ST_OK)
                rc = ST_NOMEM;
        return rc;
}

int
stats_db_phases(PGconn *c, const struct stats_filter *f, long long now, json_t **out)
{
        const char *params[2] = { f->programme_id, f->business_unit };
        json_t *j_out = json_pack("{s:s?, s:s?}", "programme_id", f->programme_id,
                                  "business_unit", f->business_unit);
        json_t *j_per_phase = json_object();
        int rc = j_out != NULL && j_per_phase != NULL ? ST_OK : ST_NOMEM;

        if (rc == ST_OK)
                rc = stats_status(c, params, j_out);
        if (rc == ST_OK)
                rc = stats_pace(c, params, now, j_out, j_per_phase);
        if (rc == ST_OK)
                rc = stats_phases(c, params, j_per_phase, j_out);
        if (rc == ST_OK)
                rc = stats_growth(c, params, j_out);
        json_decref(j_per_phase);
        if (rc == ST_OK) {
                *out = j_out;
                j_out = NULL;
        }
        json_decref(j_out);
        return rc;
}

/* A day number (days since 1970-01-01) as YYYY-MM-DD. */
static void
day_text(long day, char out[16])
{
        time_t t = (time_t)day * 86400;
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(out, 16, "%Y-%m-%d", &tm);
}

/* One week of the trend, every phase key at zero, and the week's first and last day. */
static json_t *
trend_week(long start, long end_day, const json_t *j_keys)
{
        char a[16], b[16];
        json_t *j_in = json_object(), *j_out = json_object(), *j_k;
        size_t i;
        long last = start + 6 < end_day - 1 ? start + 6 : end_day - 1;

        day_text(start, a);
        day_text(last, b);
        json_array_foreach(j_keys, i, j_k) {
                json_object_set_new(j_in, json_string_value(j_k), json_integer(0));
                json_object_set_new(j_out, json_string_value(j_k), json_integer(0));
        }
        return json_pack("{s:s, s:s, s:o, s:o, s:I}", "start", a, "end", b, "entered", j_in,
                         "left", j_out, "operational", (json_int_t)0);
}

/* Adds @n to @key of @j_counts (a key not in the programme's phases is added). */
static int
trend_add(json_t *j_counts, const char *key, json_int_t n)
{
        json_int_t was = json_integer_value(json_object_get(j_counts, key));

        return json_object_set_new(j_counts, key, json_integer(was + n)) == 0 ? ST_OK : ST_NOMEM;
}

static int
trend_keys(PGconn *c, const char *const *params, json_t *j_keys)
{
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_trend_keys", 2, params, &res);

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++)
                if (json_array_append_new(j_keys, json_string(PQgetvalue(res, i, 0))) != 0)
                        rc = ST_NOMEM;
        PQclear(res);
        return rc;
}

/* Fills @j_weeks from the moves; operational becomes a running total. */
static int
trend_moves(PGconn *c, const char *const *params, json_t *j_weeks)
{
        PGresult *res = NULL;
        int rc = db_exec(c, "stats_trend_moves", 4, params, &res);
        size_t n = json_array_size(j_weeks);
        json_int_t before = 0, total;
        json_t *j_week;

        for (int i = 0; rc == ST_OK && i < PQntuples(res); i++) {
                const char *kind = PQgetvalue(res, i, 0);
                long week = strtol(PQgetvalue(res, i, 2), NULL, 10);
                json_int_t count = col_int(res, i, 3);

                if (week < 0) {
                        before += count;
                        continue;
                }
                j_week = json_array_get(j_weeks, (size_t)week);
                if (j_week == NULL)
                        continue; /* the partial last week's overhang: not counted */
                if (strcmp(kind, "operational") == 0)
                        rc = trend_add(j_week, "operational", count);
                else
                        rc = trend_add(json_object_get(j_week, kind), PQgetvalue(res, i, 1),
                                       count);
        }
        PQclear(res);
        total = before;
        for (size_t w = 0; rc == ST_OK && w < n; w++) {
                j_week = json_array_get(j_weeks, w);
                total += json_integer_value(json_object_get(j_week, "operational"));
                if (json_object_set_new(j_week, "operational", json_integer(total)) != 0)
                        rc = ST_NOMEM;
        }
        return rc;
}

int
stats_db_trend(PGconn *c, const struct stats_filter *f, long from_day, long end_day,
               int weeks, json_t **out)
{
        char from[16], to[16], end[16];
        const char *params[4] = { f->programme_id, f->business_unit, from, end };
        json_t *j_keys = json_array(), *j_weeks = json_array(), *j_out = NULL;
        int rc = j_keys != NULL && j_weeks != NULL ? ST_OK : ST_NOMEM;

        day_text(from_day, from);
        day_text(end_day - 1, to);
        day_text(end_day, end);
        if (rc == ST_OK)
                rc = trend_keys(c, params, j_keys);
        for (int w = 0; rc == ST_OK && w < weeks; w++)
                if (json_array_append_new(j_weeks, trend_week(from_day + 7L * w, end_day,
                                                              j_keys)) != 0)
                        rc = ST_NOMEM;
        if (rc == ST_OK)
                rc = trend_moves(c, params, j_weeks);
        if (rc == ST_OK) {
                j_out = json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:O, s:O}", "programme_id",
                                  f->programme_id, "business_unit", f->business_unit,
                                  "interval", "week", "from", from, "to", to, "phases", j_keys,
                                  "weeks", j_weeks);
                rc = j_out != NULL ? ST_OK : ST_NOMEM;
        }
        json_decref(j_keys);
        json_decref(j_weeks);
        if (rc == ST_OK)
                *out = j_out;
        return rc;
}
