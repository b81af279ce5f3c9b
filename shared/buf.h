/*
 * buf.h - a growable, NUL-terminated text buffer.
 *
 * After a failed allocation the buffer is marked failed and every further
 * append is a no-op, so a caller appends freely and checks once at the end.
 */
#ifndef TANDEM_BUF_H
#define TANDEM_BUF_H

#include <stddef.h>

struct buf {
        char *p;          /* owned; NULL until the first append */
        size_t len, cap;
        int failed;
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* Makes room for @more bytes plus the NUL.  Returns 0, or -1 (and marks failed). */
int buf_reserve(struct buf *b, size_t more);

/* Appends @n bytes of @s. */
void buf_add(struct buf *b, const char *s, size_t n);

/* Appends the string @s. */
void buf_puts(struct buf *b, const char *s);

/* Appends printf-style text. */
void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Hands the text over: returns it (caller frees) and resets @b, or returns
 * NULL after a failure (and frees what was built).
 */
char *buf_detach(struct buf *b);

/* Empties @b and keeps its memory for the next text (a record per row). */
void buf_clear(struct buf *b);

/* Frees what @b holds and resets it.  Accepts NULL. */
void buf_release(struct buf *b);

#endif
