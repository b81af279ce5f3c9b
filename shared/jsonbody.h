/*
 * jsonbody.h - a request body parsed as JSON, with faults named by field.
 *
 * jansson refuses some valid-looking input (a lone UTF-16 surrogate such as
 * "\ud800", an integer beyond 64 bits, a NUL in a member name) with a message
 * that names a byte position; a client needs the member that holds it.  This
 * module turns that position into a field path, and refuses "\u0000" in any
 * string: it is valid JSON, but every string of this API ends up in a
 * PostgreSQL text or jsonb value, neither of which can hold U+0000, and no
 * field has a use for it.
 */
#ifndef TANDEM_JSONBODY_H
#define TANDEM_JSONBODY_H

#include <stddef.h>
#include <jansson.h>
#include "problem.h"

/*
 * Parses @buf (@len bytes) as one JSON value, refusing duplicate member names.
 * Returns ST_OK with a new reference in *@out; ST_INVALID with a field error
 * {path, fault} in @p for a value jansson or this API cannot hold (the path is
 * "a.b[2].c", or "(body)" for the top level); ST_MALFORMED with a detail for
 * JSON that is broken (syntax, truncation), and with the field error too when
 * the fault is in one member (bad UTF-8, a member given twice); ST_NOMEM.
 */
int json_body_parse(const char *buf, size_t len, json_t **out, struct problem *p);

/*
 * Writes into @out the path ("a.b[2]") of the member or item whose text
 * contains byte @pos of the JSON text @buf (@len bytes); "" at the top level.
 * Tolerates text that is broken after @pos.  Truncates to @outlen.
 */
void json_body_path_at(const char *buf, size_t len, size_t pos, char *out, size_t outlen);

#endif
