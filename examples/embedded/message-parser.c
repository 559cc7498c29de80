/* SPDX-License-Identifier: MIT */
/*
 * message-parser: a per-message arena in a static buffer, the way firmware
 * uses one.
 *
 * Messages of `key=value` lines (as if received from a UART; here from a
 * built-in array) are parsed one at a time into an arena that lives in a
 * static array: the fields table and copies of every key and value are
 * allocated there, so the parsed message does not point into the receive
 * buffer, and marena_reset() throws the whole message away in O(1) before
 * the next one. Nothing is allocated anywhere else: no heap, no OS.
 *
 * The program checks its own results and returns 1 on any mismatch:
 * every message parses to the expected fields, used() is back to 0 after
 * every reset, and a message too large for the arena fails with NULL and
 * leaves the arena usable for the next one.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "marena.h"

/* Room for one message: its fields table and strings. */
#define MESSAGE_ARENA_SIZE 256u

/* Any alignment: the arena aligns inside the buffer, and
 * MARENA_STATIC_OVERHEAD covers the control block and that padding. */
static unsigned char message_buffer[MARENA_STATIC_OVERHEAD + MESSAGE_ARENA_SIZE];

struct field {
    const char *key;
    const char *value;
};

struct message {
    size_t count;
    struct field *fields;
};

/* The "UART": messages as they arrive, one line per field. */
struct received {
    const char *text;
    size_t fields;     /* expected count; 0: must not fit */
    const char *key;   /* a field to look up */
    const char *value; /* and its expected value */
};

static const struct received inbox[] = {
    {"id=1\ntemp=215\nunit=dC\n", 3, "temp", "215"},
    {"id=2\nstate=idle\n", 2, "state", "idle"},
    {"id=3\nfirmware=1.4.2\nboard=rev-c\nuptime=86400\nresets=0\n", 5, "board", "rev-c"},
    /* Far more than the arena holds: parsing must fail cleanly. */
    {"id=4\nlog=0123456789012345678901234567890123456789012345678901234567890123"
     "4567890123456789012345678901234567890123456789012345678901234567890123"
     "4567890123456789012345678901234567890123456789012345678901234567890123"
     "4567890123456789012345678901234567890123456789012345678901234567890123\n",
     0, NULL, NULL},
    {"id=5\nkey=\n=empty-key\nlast=yes\n", 4, "last", "yes"},
};

/* A copy of n bytes of s, NUL-terminated, packed (alignment 1). */
static const char *
copy_string(marena_t *arena, const char *s, size_t n)
{
    char *copy = marena_alloc_aligned(arena, n + 1, 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* Parses one message into the arena; NULL (and nothing else) when the
 * arena cannot hold it or a line has no '='. */
static struct message *
parse_message(marena_t *arena, const char *text)
{
    struct message *message = MARENA_NEW(arena, struct message);
    size_t lines = 0;

    if (message == NULL)
        return NULL;
    for (const char *p = text; *p != '\0'; p++)
        lines += *p == '\n' || p[1] == '\0';
    message->fields = MARENA_NEW_ARRAY(arena, struct field, lines);
    if (message->fields == NULL)
        return NULL;
    for (const char *line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');

        if (end == NULL)
            end = line + strlen(line); /* a last line without '\n' */
        const char *equals = memchr(line, '=', (size_t)(end - line));
        struct field *field = &message->fields[message->count];

        if (equals == NULL)
            return NULL;
        field->key = copy_string(arena, line, (size_t)(equals - line));
        field->value = copy_string(arena, equals + 1, (size_t)(end - equals - 1));
        if (field->key == NULL || field->value == NULL)
            return NULL;
        message->count++;
        line = *end == '\n' ? end + 1 : end;
    }
    return message;
}

static const char *
lookup(const struct message *message, const char *key)
{
    for (size_t i = 0; i < message->count; i++)
        if (strcmp(message->fields[i].key, key) == 0)
            return message->fields[i].value;
    return NULL;
}

static int failures;

static void
check(int ok, size_t index, const char *what)
{
    if (!ok) {
        printf("message %zu: FAILED: %s\n", index + 1, what);
        failures++;
    }
}

int
main(void)
{
    marena_t *arena = marena_create_static(message_buffer, sizeof message_buffer);

    if (arena == NULL) {
        printf("marena_create_static failed\n");
        return 1;
    }
    size_t capacity = marena_capacity(arena);
    check(capacity >= MESSAGE_ARENA_SIZE, 0, "capacity below the size asked for");

    for (size_t i = 0; i < sizeof inbox / sizeof inbox[0]; i++) {
        const struct received *in = &inbox[i];
        struct message *message = parse_message(arena, in->text);

        if (in->fields == 0) {
            check(message == NULL, i, "a message larger than the arena parsed");
            printf("message %zu: too large for %zu bytes, dropped\n", i + 1, capacity);
        } else {
            check(message != NULL, i, "the message did not parse");
            if (message != NULL) {
                const char *value = lookup(message, in->key);

                check(message->count == in->fields, i, "wrong number of fields");
                check(value != NULL && strcmp(value, in->value) == 0, i, "wrong value");
                check(lookup(message, "id") != NULL, i, "no id field");
                printf("message %zu: %zu fields, %s=%s, %zu of %zu bytes used\n", i + 1,
                       message->count, in->key, value != NULL ? value : "?",
                       marena_used(arena), capacity);
            }
        }
        /* Done with the message: all of it goes at once. */
        marena_reset(arena);
        check(marena_used(arena) == 0, i, "used() is not 0 after reset");
        check(marena_remaining(arena) == capacity, i,
              "remaining() is not the capacity after reset");
    }

    /* After everything, the whole capacity is one allocation again. */
    check(marena_alloc_aligned(arena, capacity, 1) != NULL, 0,
          "the arena is not whole after the last reset");
    marena_destroy(arena);

    if (failures != 0) {
        printf("message-parser: %d checks failed\n", failures);
        return 1;
    }
    printf("message-parser: all messages checked\n");
    return 0;
}
