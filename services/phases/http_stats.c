/*
 * http_stats.c - GET /v1/stats/phases: aggregates for dashboards (viewers,
 * comms, admins and services); never a person's record.
 */
#include <stdio.h>
#include <time.h>

#include "phases.h"
#include "status.h"

struct stats_op {
        struct stats_filter f;
};

/* Statistics are for viewers, comms, the programme team and services. */
static bool
stats_reader(const struct request *rq)
{
        return (rq->who.roles & (ROLE_VIEWER | ROLE_COMMS | ROLE_ADMIN | ROLE_SERVICE)) != 0;
}

/* The filters every statistics route takes; faults go to rq->prob. */
static void
stats_filter_read(struct request *rq, struct stats_filter *f)
{
        http_query_uuid(rq, "programme_id", &f->programme_id);
        f->business_unit = http_query(rq, "business_unit");
        if (f->business_unit != NULL && (f->business_unit[0] == '\0'
                                         || jv_utf8_len(f->business_unit) > 100))
                problem_field(&rq->prob, "business_unit", "must be 1 to 100 characters");
}

static int
stats_tx(PGconn *c, struct request *rq, void *arg)
{
        struct stats_op *op = arg;

        return stats_db_phases(c, &op->f, clock_now(), &rq->j_out);
}

int
http_stats_phases(struct request *rq)
{
        struct stats_op op = { { NULL, NULL } };

        if (!stats_reader(rq))
                return access_forbid(rq, "statistics are for viewers, comms and the programme"
                                     " team");
        stats_filter_read(rq, &op.f);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        return db_with(rq->svc->db, rq, stats_tx, &op);
}

struct trend_op {
        struct stats_filter f;
        long from_day, end_day;
        int weeks;
};

static int
trend_tx(PGconn *c, struct request *rq, void *arg)
{
        struct trend_op *op = arg;

        return stats_db_trend(c, &op->f, op->from_day, op->end_day, op->weeks, &rq->j_out);
}

/* A YYYY-MM-DD query parameter as days since 1970-01-01; @def when absent; a field
 * error naming it when bad (then @def). */
static long
query_day(struct request *rq, const char *name, long def)
{
        const char *v = http_query(rq, name);
        struct tm tm = { 0 }, back;
        int y = 0, m = 0, d = 0, used = 0;
        time_t t;

        if (v == NULL)
                return def;
        if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && v[10] == '\0'
            && y >= 1970 && y <= 9999) {
                tm.tm_year = y - 1900;
                tm.tm_mon = m - 1;
                tm.tm_mday = d;
                t = timegm(&tm);
                /* a real calendar day: it reads back unchanged (no 2026-02-30) */
                if (gmtime_r(&t, &back) != NULL && back.tm_mon == m - 1 && back.tm_mday == d)
                        return (long)(t / 86400);
        }
        problem_field(&rq->prob, name, "must be a date (YYYY-MM-DD) from 1970");
        return def;
}

/*
 * GET /v1/stats/phases/trend?from&to&interval=week: week by week from @from
 * (default: 12 weeks before @to) to @to (default: today, UTC), phases entered
 * and left and the operational journeys, from the enrolment history.
 */
int
http_stats_trend(struct request *rq)
{
        static const char *const intervals[] = { "week", NULL };
        struct trend_op op = { { NULL, NULL }, 0, 0, 0 };
        const char *interval = NULL;
        long today = (long)(clock_now() / 86400), to, from;

        if (!stats_reader(rq))
                return access_forbid(rq, "statistics are for viewers, comms and the programme"
                                     " team");
        stats_filter_read(rq, &op.f);
        http_query_enum(rq, "interval", intervals, &interval);
        to = query_day(rq, "to", today);
        from = query_day(rq, "from", to - 83);
        if (problem_field_count(&rq->prob) == 0 && from > to)
                problem_field(&rq->prob, "from", "must not be after to");
        else if (problem_field_count(&rq->prob) == 0 && (to - from) / 7 + 1 > TREND_MAX_WEEKS)
                problem_field(&rq->prob, "from", "the range may span at most %d weeks",
                              TREND_MAX_WEEKS);
        if (problem_field_count(&rq->prob) > 0)
                return ST_INVALID;
        op.from_day = from;
        op.end_day = to + 1;
        op.weeks = (int)((to - from) / 7 + 1);
        return db_with(rq->svc->db, rq, trend_tx, &op);
}
