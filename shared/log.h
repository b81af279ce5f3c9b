/*
 * log.h - JSON log lines on stdout, one per event.
 *
 * Every line carries time, level and service.  log_request() writes the one
 * line per HTTP request.  Never pass a token or a secret to these functions.
 */
#ifndef TANDEM_LOG_H
#define TANDEM_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the service name and minimum level; call once before threads start. */
void log_setup(const char *service, int level);

/* Parses "debug", "info", "warn", "error".  Returns the level or -1. */
int log_level_parse(const char *s);

/* A free-form event: {"time","level","service","func","msg"}. */
void log_msg(int level, const char *func, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define log_info(...)  log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

struct log_request_line {
        const char *request_id;
        const char *method;
        const char *route;       /* the route pattern, not the raw path */
        unsigned status;
        double duration_ms;
        const char *subject;     /* token subject, "" when anonymous */
};

/*
 * The one line per request, at level info (error for a 5xx): a minimum level
 * of warn keeps only the failures, for benchmarks.
 */
void log_request(const struct log_request_line *l);

/* Writes an RFC 3339 UTC time with milliseconds into @buf (>= 32 bytes). */
void log_time_now(char *buf, unsigned long buflen);

/* Returns "debug", "info", "warn" or "error" for @level (clamped). */
const char *log_level_name(int level);

struct json_t;

/*
 * A structured record that is always printed, whatever the minimum level:
 * {"time","level","service","msg":@msg,@key:@j_value}.  Borrows @j_value
 * (NULL leaves @key out).  For start-up records such as the configuration.
 */
void log_record(int level, const char *msg, const char *key, struct json_t *j_value);

#endif
