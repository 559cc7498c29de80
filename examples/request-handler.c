/* SPDX-License-Identifier: MIT */
/*
 * request-handler: one arena per request, reset after each response.
 *
 * A server's work on a request is short-lived and made of many small
 * pieces: the request line, a table of headers, copies of their names and
 * values, the response text. Here all of it goes into one arena, and
 * marena_reset() throws the whole request away in O(1) before the next:
 * no free() per piece, nothing to leak, and after the first request no
 * malloc at all. The arena's first block is sized for a typical request
 * (REQUEST_ARENA_SIZE); with MARENA_GROW an unusually large request still
 * works by taking more blocks. The reset keeps what the next request will
 * likely need (MARENA_RETAIN_ADAPTIVE): a second large request takes no
 * memory from the backend, and after a run of small ones the arena is
 * back to its first block.
 *
 * The requests are HTTP-like: a request line, "Name: value" header lines,
 * and a blank line. By default the program handles a built-in batch whose
 * responses are known; with the argument "-" it reads requests from
 * standard input instead (separated by blank lines) and prints the
 * responses.
 *
 * It checks its own results and exits 1 on any mismatch: each built-in
 * request's response is exactly the expected one; used() is 0 after every
 * reset; capacity() stays that of the first block for every request that
 * fits in it until a larger one comes; a repeat of the larger one needs no
 * more; and a few small requests later capacity() is back to the first
 * block.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "marena.h"

/* The first block: enough for a typical request and its response. */
#define REQUEST_ARENA_SIZE 4096u
/* Standard input is read into this buffer (with "-"). */
#define INPUT_MAX 65536u

struct header {
    const char *name;  /* lowercased: names are case-insensitive */
    const char *value; /* without the whitespace around it */
};

struct request {
    const char *method;
    const char *target;
    const char *version;
    size_t header_count;
    struct header *headers;
};

/* A built-in request and what the handler must answer. */
struct exchange {
    const char *request;
    const char *response;
};

static const struct exchange batch[] = {
    {"GET /hello HTTP/1.1\r\nHost: example.org\r\nUser-Agent: demo/1.0\r\n\r\n",
     "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nhello, example.org!\n"},
    {"GET /headers HTTP/1.1\r\nHost: a.test\r\nACCEPT: */*\r\nX-Trace:   abc  \r\n\r\n",
     "HTTP/1.1 200 OK\r\nContent-Length: 38\r\n\r\n"
     "host: a.test\naccept: */*\nx-trace: abc\n"},
    {"POST /hello HTTP/1.1\r\nHost: example.org\r\n\r\n",
     "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 19\r\n\r\n"
     "method not allowed\n"},
    {"GET /missing HTTP/1.0\n\n",
     "HTTP/1.1 404 Not Found\r\nContent-Length: 20\r\n\r\nnot found: /missing\n"},
    {"BROKEN\r\n\r\n",
     "HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\n\r\nbad request\n"},
    {"GET /hello HTTP/1.1\r\nno colon here\r\n\r\n",
     "HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\n\r\nbad request\n"},
    {"GET /hello HTTP/1.1\r\n\r\n",
     "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\nhello, stranger!\n"},
};

/* The length of the line at text (without its "\n" or "\r\n"), and where
 * the next one starts. */
static size_t
line_length(const char *text, const char **next)
{
    const char *end = strchr(text, '\n');
    size_t length;

    if (end == NULL) {
        length = strlen(text);
        *next = text + length;
    } else {
        length = (size_t)(end - text);
        *next = end + 1;
    }
    if (length > 0 && text[length - 1] == '\r')
        length--;
    return length;
}

/* A copy of [start, start + length) without blanks at either end. */
static char *
copy_trimmed(marena_t *arena, const char *start, size_t length)
{
    while (length > 0 && (*start == ' ' || *start == '\t')) {
        start++;
        length--;
    }
    while (length > 0 && (start[length - 1] == ' ' || start[length - 1] == '\t'))
        length--;
    return marena_strndup(arena, start, length);
}

/* Parses text into the arena. Returns 0, 400 for a malformed request, or
 * 500 when the arena cannot hold it. */
static int
parse_request(marena_t *arena, const char *text, struct request *request)
{
    const char *line = text, *next, *space1, *space2;
    size_t length = line_length(line, &next), lines = 0;

    /* Request line: METHOD SP TARGET SP VERSION. */
    space1 = memchr(line, ' ', length);
    space2 = space1 != NULL
                 ? memchr(space1 + 1, ' ', length - (size_t)(space1 + 1 - line))
                 : NULL;
    if (space1 == NULL || space2 == NULL || space1 == line || space2 == space1 + 1)
        return 400;
    request->method = marena_strndup(arena, line, (size_t)(space1 - line));
    request->target = marena_strndup(arena, space1 + 1, (size_t)(space2 - space1 - 1));
    request->version =
        marena_strndup(arena, space2 + 1, length - (size_t)(space2 + 1 - line));
    if (request->method == NULL || request->target == NULL || request->version == NULL)
        return 500;

    /* Count the header lines, then parse them into a table of that size. */
    for (const char *p = next; line_length(p, &p) > 0;)
        lines++;
    request->header_count = 0;
    request->headers = NULL;
    if (lines == 0)
        return 0;
    request->headers = MARENA_NEW_ARRAY(arena, struct header, lines);
    if (request->headers == NULL)
        return 500;
    for (line = next; (length = line_length(line, &next)) > 0; line = next) {
        const char *colon = memchr(line, ':', length);
        struct header *header = &request->headers[request->header_count];
        char *name;

        if (colon == NULL || colon == line)
            return 400;
        name = copy_trimmed(arena, line, (size_t)(colon - line));
        header->value =
            copy_trimmed(arena, colon + 1, length - (size_t)(colon + 1 - line));
        if (name == NULL || header->value == NULL)
            return 500;
        for (char *c = name; *c != '\0'; c++)
            *c = (char)tolower((unsigned char)*c);
        header->name = name;
        request->header_count++;
    }
    return 0;
}

static const char *
find_header(const struct request *request, const char *name)
{
    for (size_t i = 0; i < request->header_count; i++)
        if (strcmp(request->headers[i].name, name) == 0)
            return request->headers[i].value;
    return NULL;
}

/* The response to text, built in the arena; NULL when the arena is full. */
static const char *
handle(marena_t *arena, const char *text)
{
    struct request request;
    int status = parse_request(arena, text, &request);
    const char *reason = "OK";
    char *body = NULL;

    if (status == 400) {
        reason = "Bad Request";
        body = marena_strdup(arena, "bad request\n");
    } else if (status == 500) {
        return NULL;
    } else if (strcmp(request.method, "GET") != 0) {
        status = 405;
        reason = "Method Not Allowed";
        body = marena_strdup(arena, "method not allowed\n");
    } else if (strcmp(request.target, "/hello") == 0) {
        const char *host = find_header(&request, "host");

        status = 200;
        body = marena_sprintf(arena, "hello, %s!\n", host != NULL ? host : "stranger");
    } else if (strcmp(request.target, "/headers") == 0) {
        /* The headers back, one "name: value" line each: measured, then
         * written into one allocation of the exact size. */
        size_t length = 0;

        status = 200;
        for (size_t i = 0; i < request.header_count; i++)
            length += strlen(request.headers[i].name) + strlen(": ") +
                      strlen(request.headers[i].value) + 1;
        body = marena_alloc_aligned(arena, length + 1, 1);
        if (body != NULL) {
            char *end = body;

            for (size_t i = 0; i < request.header_count; i++)
                end += sprintf(end, "%s: %s\n", request.headers[i].name,
                               request.headers[i].value);
            *end = '\0';
        }
    } else {
        status = 404;
        reason = "Not Found";
        body = marena_sprintf(arena, "not found: %s\n", request.target);
    }
    if (body == NULL)
        return NULL;
    return marena_sprintf(arena, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n\r\n%s",
                          status, reason, strlen(body), body);
}

static int failures;

static void
check(int ok, size_t index, const char *what)
{
    if (!ok) {
        printf("request %zu: FAILED: %s\n", index + 1, what);
        failures++;
    }
}

/* Handles one request and resets the arena; checks what is always true. */
static const char *
serve(marena_t *arena, size_t first_capacity, size_t index, const char *text, int fits,
      char *copy, size_t copy_size)
{
    const char *response = handle(arena, text);
    size_t used = marena_used(arena), capacity = marena_capacity(arena);

    check(response != NULL, index, "no response: the arena is full");
    if (response != NULL && copy != NULL) {
        /* Keep the response past the reset, for the caller to check. */
        snprintf(copy, copy_size, "%s", response);
    }
    if (fits)
        check(capacity == first_capacity, index,
              "a request that fits took more than the first block");
    printf("request %zu: %.*s, %zu bytes used, capacity %zu\n", index + 1,
           response != NULL ? (int)strcspn(response, "\r") : 4,
           response != NULL ? response : "none", used, capacity);

    marena_reset(arena); /* the whole request, at once */
    check(marena_used(arena) == 0, index, "used() is not 0 after reset");
    return response;
}

static char input[INPUT_MAX + 1];

/* Requests from standard input, separated by blank lines. */
static void
serve_stdin(marena_t *arena)
{
    size_t length = fread(input, 1, INPUT_MAX, stdin), index = 0;
    char *start = input;

    input[length] = '\0';
    if (length == INPUT_MAX)
        fprintf(stderr, "request-handler: input truncated at %u bytes\n", INPUT_MAX);
    while (*start != '\0') {
        char *end = strstr(start, "\n\n"), *crlf = strstr(start, "\r\n\r\n");
        char *next;

        if (crlf != NULL && (end == NULL || crlf < end)) {
            next = crlf + 4;
            crlf[2] = '\0';
        } else if (end != NULL) {
            next = end + 2;
            end[1] = '\0';
        } else {
            next = start + strlen(start);
        }
        if (strspn(start, "\r\n") != strlen(start)) {
            const char *response = handle(arena, start);

            check(response != NULL, index, "no response: the arena is full");
            if (response != NULL)
                fputs(response, stdout);
            marena_reset(arena);
            check(marena_used(arena) == 0, index, "used() is not 0 after reset");
            index++;
        }
        start = next;
    }
}

int
main(int argc, char **argv)
{
    marena_options_t options = {
        .block_size = REQUEST_ARENA_SIZE,
        .flags = MARENA_GROW, /* a large request takes more blocks */
    };
    marena_t *arena = marena_create_ex(&options);
    static char large[8192], response[8192];
    size_t first_capacity, index;

    if (arena == NULL) {
        printf("request-handler: marena_create_ex failed\n");
        return 1;
    }
    first_capacity = marena_capacity(arena);

    if (argc > 1 && strcmp(argv[1], "-") == 0) {
        serve_stdin(arena);
        marena_destroy(arena);
        return failures != 0;
    }

    for (index = 0; index < sizeof batch / sizeof batch[0]; index++) {
        serve(arena, first_capacity, index, batch[index].request, 1, response,
              sizeof response);
        check(strcmp(response, batch[index].response) == 0, index,
              "not the expected response");
    }

    /* One request larger than the first block, twice: a 6000-byte cookie.
     * The second takes nothing more: the reset kept what the first took. */
    for (int repeat = 0; repeat < 2; repeat++) {
        size_t cookie = 6000, capacity = marena_capacity(arena);
        int n = snprintf(large, sizeof large,
                         "GET /headers HTTP/1.1\r\nCookie: %*s\r\n\r\n", (int)cookie, "");
        char *value = strstr(large, "Cookie: ") + strlen("Cookie: ");
        char expected[64];

        check(n > 0 && (size_t)n < sizeof large, index,
              "the large request does not fit its buffer");
        memset(value, 'c', cookie);
        serve(arena, first_capacity, index, large, 0, response, sizeof response);
        snprintf(expected, sizeof expected,
                 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                 strlen("cookie: ") + cookie + 1);
        check(strncmp(response, expected, strlen(expected)) == 0, index,
              "not the expected response to the large request");
        check(repeat == 0 || marena_capacity(arena) == capacity, index,
              "the repeated large request took more memory");
        index++;
    }

    /* Small ones again: a few cycles later, back to the first block. */
    for (int small = 0; small < 8; small++, index++) {
        serve(arena, first_capacity, index, batch[0].request, 0, response,
              sizeof response);
        check(strcmp(response, batch[0].response) == 0, index,
              "not the expected response");
    }
    check(marena_capacity(arena) == first_capacity, index,
          "capacity() is not back to the first block after small requests");

    marena_destroy(arena);
    if (failures != 0) {
        printf("request-handler: %d checks failed\n", failures);
        return 1;
    }
    printf("request-handler: all requests checked\n");
    return 0;
}
