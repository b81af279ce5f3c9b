/*
 * csv.c - RFC 4180 fields and records, pure.
 */
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
