/*
 * csv.c - RFC 4180 fields and records, pure.
 */
#include <string.h>

#include "notify.h"

static int
needs_quotes(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
                        return 1;
        return 0;
}

void
csv_field(struct buf *b, const char *s, size_t n)
{
        size_t start = 0;

        if (!needs_quotes(s, n)) {
                buf_add(b, s, n);
                return;
        }
        buf_puts(b, "\"");
        for (size_t i = 0; i < n; i++)
                if (s[i] == '"') {
                        buf_add(b, s + start, i + 1 - start);   /* up to and with the quote */
                        buf_puts(b, "\"");                      /* doubled */
                        start = i + 1;
                }
        buf_add(b, s + start, n - start);
        buf_puts(b, "\"");
}

void
csv_record(struct buf *b, const char *const *values, const size_t *lens, size_t count)
{
        for (size_t i = 0; i < count; i++) {
                if (i > 0)
                        buf_puts(b, ",");
                if (values[i] != NULL)
                        csv_field(b, values[i], lens[i]);
        }
        buf_puts(b, "\r\n");
}

static int
digits(const char *s, size_t from, size_t to)
{
        for (size_t i = from; i < to; i++)
                if (s[i] < '0' || s[i] > '9')
                        return 0;
        return 1;
}

size_t
csv_time_utc(const char *s, size_t n, char out[CSV_TIME_LEN + 1])
{
        static const char shape[] = "0000-00-00 00:00:00";
        size_t frac = 0;

        if (n < 19 || n > 26 || (n > 19 && (s[19] != '.' || n == 20)))
                return 0;
        for (size_t i = 0; i < 19; i++)
                if (shape[i] == '0' ? !digits(s, i, i + 1) : s[i] != shape[i])
                        return 0;
        if (n > 19) {
                if (!digits(s, 20, n))
                        return 0;
                frac = n - 20;
        }
        memcpy(out, s, 19);
        out[10] = 'T';
        out[19] = '.';
        memcpy(out + 20, s + 20, frac);
        memset(out + 20 + frac, '0', 6 - frac);
        out[26] = 'Z';
        out[27] = '\0';
        return CSV_TIME_LEN;
}
