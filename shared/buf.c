/*
 * buf.c - a growable text buffer (see buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
buf_reserve(struct buf *b, size_t more)
{
        size_t cap = b->cap != 0 ? b->cap : 4096;
        char *p;

        if (b->failed)
                return -1;
        while (cap - b->len <= more)
                cap *= 2;
        if (cap == b->cap)
                return 0;
        p = realloc(b->p, cap);
        if (p == NULL) {
                b->failed = 1;
                return -1;
        }
        b->p = p;
        b->cap = cap;
        return 0;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
        if (buf_reserve(b, n) != 0)
                return;
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
}

void
buf_fmt(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->failed = 1;
                return;
        }
        if (buf_reserve(b, (size_t)n) != 0)
                return;
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= b->cap - b->len) {
                b->failed = 1;
                return;
        }
        b->len += (size_t)n;
}

void
buf_puts(struct buf *b, const char *s)
{
        buf_add(b, s, strlen(s));
}

char *
buf_detach(struct buf *b)
{
        char *p = b->p;

        if (b->failed) {
                buf_release(b);
                return NULL;
        }
        if (p == NULL)
                p = calloc(1, 1);
        b->p = NULL;
        b->len = b->cap = 0;
        return p;
}

void
buf_clear(struct buf *b)
{
        b->len = 0;
        if (b->p != NULL)
                b->p[0] = '\0';
}

void
buf_release(struct buf *b)
{
        if (b == NULL)
                return;
        free(b->p);
        b->p = NULL;
        b->len = b->cap = 0;
        b->failed = 0;
}
