/* SPDX-License-Identifier: MIT */
/*
 * symbol-table: string interning, with the whole table in one arena.
 *
 * A compiler or interpreter turns every identifier it reads into a symbol:
 * one record per distinct string, so that names compare by pointer. The
 * records, their strings and the hash table's slot array all live in one
 * growing arena; nothing is freed one by one, and marena_destroy() frees
 * the whole table at once, however many blocks it grew to. The table is
 * open addressing with linear probing, kept at most half full: when it
 * would pass that, a slot array twice the size is allocated in the arena
 * and the symbols are rehashed into it. The old array stays in the arena
 * until the end (the arrays abandoned along the way add up to less than
 * the last one), a fair price for never calling free.
 *
 * The arena's backend is the heap (or mmap) backend wrapped in one that
 * counts the blocks and bytes it hands out, so the program can check that
 * destroy really gives everything back.
 *
 * It checks its own results and exits 1 on any mismatch: interning the
 * same string twice gives the same pointer, different strings give
 * different symbols with the right text, the symbol and use counts agree
 * with a naive count over the tokens, every symbol is still found after the
 * table has grown several times, absent names are not found, and after
 * marena_destroy() the backend holds no block.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "marena.h"

struct symbol {
    const char *name; /* NUL-terminated, in the arena */
    size_t length;
    uint32_t hash;
    size_t uses; /* how often it was interned */
};

struct symbol_table {
    marena_t *arena;
    struct symbol **slots; /* NULL or a symbol */
    size_t slot_count;     /* a power of two */
    size_t count;
    size_t grown; /* how many times the slot array was replaced */
};

/* FNV-1a, 32 bits. */
static uint32_t
hash_string(const char *s, size_t length)
{
    uint32_t hash = 2166136261u;

    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)s[i];
        hash *= 16777619u;
    }
    return hash;
}

/* The slot where a string with this hash is, or would go. */
static struct symbol **
find_slot(struct symbol **slots, size_t slot_count, const char *s, size_t length,
          uint32_t hash)
{
    size_t mask = slot_count - 1;

    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        struct symbol *symbol = slots[i];

        if (symbol == NULL || (symbol->hash == hash && symbol->length == length &&
                               memcmp(symbol->name, s, length) == 0))
            return &slots[i];
    }
}

static int
table_init(struct symbol_table *table, marena_t *arena, size_t slot_count)
{
    table->arena = arena;
    table->slot_count = slot_count;
    table->count = 0;
    table->grown = 0;
    table->slots = MARENA_NEW_ARRAY(arena, struct symbol *, slot_count);
    return table->slots != NULL ? 0 : -1;
}

/* A slot array twice the size, in the arena; the old one is abandoned. */
static int
table_grow(struct symbol_table *table)
{
    size_t slot_count = table->slot_count * 2;
    struct symbol **slots = MARENA_NEW_ARRAY(table->arena, struct symbol *, slot_count);

    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < table->slot_count; i++) {
        struct symbol *symbol = table->slots[i];

        if (symbol != NULL)
            *find_slot(slots, slot_count, symbol->name, symbol->length, symbol->hash) =
                symbol;
    }
    table->slots = slots;
    table->slot_count = slot_count;
    table->grown++;
    return 0;
}

/* The symbol for s[0..length), made on first sight; NULL when the arena
 * cannot hold it. */
static struct symbol *
intern(struct symbol_table *table, const char *s, size_t length)
{
    uint32_t hash = hash_string(s, length);
    struct symbol **slot = find_slot(table->slots, table->slot_count, s, length, hash);
    struct symbol *symbol = *slot;

    if (symbol == NULL) {
        if (2 * (table->count + 1) > table->slot_count) {
            if (table_grow(table) != 0)
                return NULL;
            slot = find_slot(table->slots, table->slot_count, s, length, hash);
        }
        symbol = MARENA_NEW(table->arena, struct symbol);
        if (symbol == NULL)
            return NULL;
        symbol->name = marena_strndup(table->arena, s, length);
        if (symbol->name == NULL)
            return NULL;
        symbol->length = length;
        symbol->hash = hash;
        *slot = symbol;
        table->count++;
    }
    symbol->uses++;
    return symbol;
}

/* The symbol for s, or NULL when it was never interned. */
static const struct symbol *
lookup(const struct symbol_table *table, const char *s)
{
    size_t length = strlen(s);

    return *find_slot(table->slots, table->slot_count, s, length, hash_string(s, length));
}

/* A backend that counts what it hands out, on top of a real one. */
struct counter {
    const marena_backend_t *real;
    size_t blocks, bytes, acquired;
};

static void *
counting_acquire(void *ctx, size_t size, size_t *granted)
{
    struct counter *counter = ctx;
    void *block = counter->real->acquire(NULL, size, granted);

    if (block != NULL) {
        counter->blocks++;
        counter->bytes += *granted;
        counter->acquired++;
    }
    return block;
}

static void
counting_release(void *ctx, void *block, size_t size)
{
    struct counter *counter = ctx;

    counter->blocks--;
    counter->bytes -= size;
    if (counter->real->release != NULL)
        counter->real->release(NULL, block, size);
}

static const marena_backend_t counting_backend = {
    .name = "counting",
    .acquire = counting_acquire,
    .release = counting_release,
};

/* Source text to tokenize: identifiers are [A-Za-z_][A-Za-z0-9_]*. */
static const char source[] = "static int count_words(const char *text, int *lines) {\n"
                             "    int count = 0, in_word = 0;\n"
                             "    for (const char *p = text; *p != 0; p++) {\n"
                             "        if (*p == '\\n') *lines = *lines + 1;\n"
                             "        if (is_space(*p)) in_word = 0;\n"
                             "        else if (!in_word) { in_word = 1; count++; }\n"
                             "    }\n"
                             "    return count;\n"
                             "}\n";

#define MAX_TOKENS 128

struct token {
    const char *start;
    size_t length;
};

static size_t
tokenize(const char *text, struct token *tokens, size_t max)
{
    size_t n = 0;

    for (const char *p = text; *p != '\0';) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_') {
            const char *start = p;

            while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= '0' && *p <= '9') || *p == '_')
                p++;
            if (n < max) {
                tokens[n].start = start;
                tokens[n].length = (size_t)(p - start);
            }
            n++;
        } else {
            p++;
        }
    }
    return n;
}

static int
same_token(const struct token *a, const struct token *b)
{
    return a->length == b->length && memcmp(a->start, b->start, a->length) == 0;
}

static int failures;

static void
check(int ok, const char *what)
{
    if (!ok) {
        printf("symbol-table: FAILED: %s\n", what);
        failures++;
    }
}

int
main(void)
{
    static struct token tokens[MAX_TOKENS];
    static const struct symbol *interned[MAX_TOKENS];
    struct counter counter = {
#if MARENA_HAVE_HEAP_BACKEND
        .real = &marena_backend_heap,
#else
        .real = &marena_backend_mmap,
#endif
    };
    marena_options_t options = {
        .backend = &counting_backend,
        .backend_ctx = &counter,
        .block_size = 1024, /* small, so the table spans blocks */
        .flags = MARENA_GROW,
    };
    struct symbol_table table;
    marena_t *arena = marena_create_ex(&options);
    size_t ntokens = tokenize(source, tokens, MAX_TOKENS), distinct = 0;
    char name[32];

    if (arena == NULL || table_init(&table, arena, 8) != 0) {
        printf("symbol-table: cannot create the arena\n");
        return 1;
    }
    check(ntokens <= MAX_TOKENS, "more tokens than MAX_TOKENS");

    /* Intern every token; the same text must give the same symbol. */
    for (size_t i = 0; i < ntokens; i++) {
        interned[i] = intern(&table, tokens[i].start, tokens[i].length);
        check(interned[i] != NULL, "intern failed");
        if (interned[i] == NULL)
            break;
        check(interned[i]->length == tokens[i].length &&
                  memcmp(interned[i]->name, tokens[i].start, tokens[i].length) == 0 &&
                  interned[i]->name[tokens[i].length] == '\0',
              "wrong symbol text");
    }
    if (failures != 0)
        return 1;

    /* Against a naive count: each token equals exactly the earlier tokens
     * with its text, and its symbol's use count is how often it occurs. */
    for (size_t i = 0; i < ntokens; i++) {
        size_t first = i, uses = 0;

        for (size_t j = 0; j < ntokens; j++) {
            if (same_token(&tokens[i], &tokens[j])) {
                uses++;
                if (j < first)
                    first = j;
                check(interned[i] == interned[j], "the same text gave two symbols");
            } else {
                check(interned[i] != interned[j], "different texts gave one symbol");
            }
        }
        distinct += first == i;
        check(interned[i]->uses == uses, "wrong use count");
    }
    check(table.count == distinct, "wrong number of symbols");
    printf("symbol-table: %zu tokens, %zu symbols; \"count\" used %zu times\n", ntokens,
           table.count,
           lookup(&table, "count") != NULL ? lookup(&table, "count")->uses : 0);

    /* Many more symbols: the slot array grows several times. */
    for (unsigned i = 0; i < 2000; i++) {
        snprintf(name, sizeof name, "generated_%u", i);
        check(intern(&table, name, strlen(name)) != NULL, "intern failed");
    }
    check(table.count == distinct + 2000, "wrong number of symbols after growth");
    check(table.grown >= 8, "the table did not grow");
    check(2 * table.count <= table.slot_count, "the table is more than half full");
    /* Every symbol is still there, and interning it again changes nothing. */
    for (size_t i = 0; i < ntokens; i++)
        check(intern(&table, tokens[i].start, tokens[i].length) == interned[i],
              "a symbol moved or was lost when the table grew");
    for (unsigned i = 0; i < 2000; i++) {
        const struct symbol *symbol;

        snprintf(name, sizeof name, "generated_%u", i);
        symbol = lookup(&table, name);
        check(symbol != NULL && strcmp(symbol->name, name) == 0 && symbol->uses == 1,
              "a generated symbol is lost");
    }
    check(table.count == distinct + 2000, "interning again added symbols");
    check(lookup(&table, "generated_2000") == NULL && lookup(&table, "counts") == NULL &&
              lookup(&table, "") == NULL,
          "an absent name was found");

    printf("symbol-table: %zu symbols in %zu slots (grown %zu times); "
           "the arena holds %zu bytes in %zu blocks from the backend\n",
           table.count, table.slot_count, table.grown, counter.bytes, counter.blocks);
    check(counter.blocks > 1, "the arena never took a second block");
#if MARENA_HAVE_STATS
    {
        marena_stats_t stats;

        marena_stats(arena, &stats);
        check(stats.blocks == counter.blocks,
              "stats.blocks is not what the backend counted");
        check(stats.backend_bytes == counter.bytes,
              "stats.backend_bytes is not what the backend counted");
    }
#endif

    /* One call frees every symbol, string and slot array. */
    marena_destroy(arena);
    check(counter.blocks == 0 && counter.bytes == 0,
          "destroy left blocks with the backend");
    printf("symbol-table: after destroy the backend holds %zu blocks, %zu bytes (of %zu "
           "acquired)\n",
           counter.blocks, counter.bytes, counter.acquired);

    if (failures != 0) {
        printf("symbol-table: %d checks failed\n", failures);
        return 1;
    }
    printf("symbol-table: all checks passed\n");
    return 0;
}
