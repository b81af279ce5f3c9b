/*
 * stats_db.c - dashboard statistics: aggregates only, never a person.
 * Partners per phase and per pace (pace computed with pace_of from each open
 * enrolment's stored facts), median and 90th-percentile days in each phase,
 * and self-assessment growth per platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
