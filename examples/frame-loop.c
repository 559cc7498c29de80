/* SPDX-License-Identifier: MIT */
/*
 * frame-loop: a game-style loop with two lifetimes of memory.
 *
 * Persistent data (the entities, and a log of events kept for the whole
 * run) lives in one arena that only ever grows. Everything a frame needs
 * only while it runs (the list of visible entities, a sorted copy, a
 * particle buffer whose size changes from frame to frame) lives in scratch
 * memory: each frame begins a scope, works, and ends the scope, which gives
 * every temporary byte back at once. The scratch arena keeps its blocks
 * across frames, so once the largest frame has run, frames cost no backend
 * call and no new memory at all.
 *
 * Scratch memory is the thread's scratch arena (marena_scratch_begin())
 * when the library has scratch arenas; otherwise a scope on an arena of
 * the program's own (on the default backend, or in a static buffer when
 * the build has none).
 *
 * It checks its own results and exits 1 on any mismatch: every frame's
 * visible list is what a plain count finds and its sorted copy is in order
 * with the same sum; after each frame the scratch arena's used() is back to
 * what it was; after the warm-up frames (which include the largest) its
 * capacity (and, with stats, its backend calls) never change again; the
 * persistent arena grows on exactly the frames that log events; and the
 * event log holds every event.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "marena.h"

#define ENTITIES 64
#define FRAMES 240
#define WORLD 1000   /* positions wrap at the world's edge */
#define VIEW_MIN 250 /* the visible window: [VIEW_MIN, VIEW_MAX) */
#define VIEW_MAX 750
#define PATTERN 4 /* temporary work repeats every PATTERN frames */
/* Most particles in a frame (frames have 1/4, 2/4, 3/4 and all of them):
 * in a growing arena more than its first block holds, so the warm-up
 * frames make the scratch arena grow; in a fixed one, what fits. */
#if MARENA_HAVE_DEFAULT_BACKEND && MARENA_HAVE_GROWTH
#define PARTICLES 12000
#else
#define PARTICLES 600
#endif

struct entity {
    int32_t x, y;
    int32_t dx, dy;
};

/* A wrap-around of an entity, kept for the whole run. */
struct event {
    struct event *next;
    uint32_t frame;
    uint32_t entity;
};

struct particle {
    float x, y, life, size;
};

struct world {
    struct entity *entities;
    struct event *events; /* newest first */
    size_t event_count;
};

#if !MARENA_HAVE_DEFAULT_BACKEND
static unsigned char persistent_buffer[MARENA_STATIC_OVERHEAD + 8192];
#if !MARENA_HAVE_SCRATCH
static unsigned char scratch_buffer[MARENA_STATIC_OVERHEAD + 16384];
#endif
#endif

/* An arena of the program's own: growing on the default backend when the
 * build has one, else fixed in a static buffer. */
static marena_t *
make_arena(unsigned char *buffer, size_t size)
{
#if MARENA_HAVE_DEFAULT_BACKEND
    marena_options_t options = {
        .block_size = size,
#if MARENA_HAVE_GROWTH
        .flags = MARENA_GROW,
#endif
    };

    (void)buffer;
    return marena_create_ex(&options);
#else
    return marena_create_static(buffer, size);
#endif
}

static int failures;

static void
check(int ok, uint32_t frame, const char *what)
{
    if (!ok) {
        printf("frame %u: FAILED: %s\n", (unsigned)frame, what);
        failures++;
    }
}

static int
visible(const struct entity *e)
{
    return e->x >= VIEW_MIN && e->x < VIEW_MAX && e->y >= VIEW_MIN && e->y < VIEW_MAX;
}

/* Moves every entity; logs a wrap-around as an event in the persistent
 * arena. Returns the number of events logged, or -1 when out of memory. */
static int
update(struct world *world, marena_t *persistent, uint32_t frame)
{
    int logged = 0;

    for (uint32_t i = 0; i < ENTITIES; i++) {
        struct entity *e = &world->entities[i];

        e->x += e->dx;
        e->y += e->dy;
        if (e->x < 0 || e->x >= WORLD || e->y < 0 || e->y >= WORLD) {
            struct event *event = MARENA_NEW(persistent, struct event);

            if (event == NULL)
                return -1;
            e->x = (e->x + WORLD) % WORLD;
            e->y = (e->y + WORLD) % WORLD;
            event->frame = frame;
            event->entity = i;
            event->next = world->events;
            world->events = event;
            world->event_count++;
            logged++;
        }
    }
    return logged;
}

/* The frame's temporary work, all of it in scratch. Returns 0, or -1 when
 * scratch memory runs out. */
static int
render(const struct world *world, marena_t *scratch, uint32_t frame)
{
    size_t count = 0, expected = 0,
           particles = PARTICLES / PATTERN * (frame % PATTERN + 1);
    uint32_t *list = MARENA_NEW_ARRAY(scratch, uint32_t, ENTITIES);
    int32_t *keys = MARENA_NEW_ARRAY(scratch, int32_t, ENTITIES);
    struct particle *sparks = MARENA_NEW_ARRAY(scratch, struct particle, particles);
    int64_t sum = 0, sorted_sum = 0;

    if (list == NULL || keys == NULL || sparks == NULL)
        return -1;
    for (uint32_t i = 0; i < ENTITIES; i++) {
        if (visible(&world->entities[i]))
            list[count++] = i;
    }
    /* Sort the visible entities by distance from the view's corner
     * (insertion sort on a scratch copy of the keys). */
    for (size_t i = 0; i < count; i++) {
        const struct entity *e = &world->entities[list[i]];
        int32_t key = (e->x - VIEW_MIN) + (e->y - VIEW_MIN);
        size_t j = i;

        sum += key;
        while (j > 0 && keys[j - 1] > key) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = key;
    }
    for (size_t i = 0; i < count; i++) {
        sorted_sum += keys[i];
        check(i == 0 || keys[i - 1] <= keys[i], frame,
              "the sorted keys are out of order");
    }
    check(sum == sorted_sum, frame, "the sorted keys lost a value");
    for (uint32_t i = 0; i < ENTITIES; i++)
        expected += (size_t)visible(&world->entities[i]);
    check(count == expected, frame, "the visible list has the wrong length");
    /* Particles: written and read back, so the memory is really used. */
    for (size_t i = 0; i < particles; i++) {
        sparks[i].x = (float)i;
        sparks[i].y = (float)frame;
        sparks[i].life = 1.0f;
        sparks[i].size = 0.5f;
    }
    for (size_t i = 0; i < particles; i++)
        check(sparks[i].x == (float)i && sparks[i].y == (float)frame, frame,
              "a particle was overwritten");
    return 0;
}

int
main(void)
{
#if MARENA_HAVE_DEFAULT_BACKEND
    marena_t *persistent = make_arena(NULL, 8192);
#else
    marena_t *persistent = make_arena(persistent_buffer, sizeof persistent_buffer);
#endif
#if !MARENA_HAVE_SCRATCH
#if MARENA_HAVE_DEFAULT_BACKEND
    marena_t *local = make_arena(NULL, 16384);
#else
    marena_t *local = make_arena(scratch_buffer, sizeof scratch_buffer);
#endif
#endif
    struct world world = {NULL, NULL, 0};
    marena_t *scratch_arena = NULL;
    size_t warm_capacity = 0, events = 0;
#if MARENA_HAVE_STATS
    size_t warm_calls = 0;
#endif

    if (persistent == NULL) {
        printf("frame-loop: cannot create the persistent arena\n");
        return 1;
    }
#if !MARENA_HAVE_SCRATCH
    if (local == NULL) {
        printf("frame-loop: cannot create the scratch arena\n");
        return 1;
    }
#endif
    world.entities = MARENA_NEW_ARRAY(persistent, struct entity, ENTITIES);
    if (world.entities == NULL)
        return 1;
    for (int32_t i = 0; i < ENTITIES; i++) {
        world.entities[i].x = (i * 97) % WORLD;
        world.entities[i].y = (i * 61) % WORLD;
        world.entities[i].dx = i % 7 - 3;
        world.entities[i].dy = (i * 5) % 9 - 4;
    }

    for (uint32_t frame = 0; frame < FRAMES; frame++) {
        size_t persistent_used = marena_used(persistent), scratch_used;
        int logged = update(&world, persistent, frame);

        check(logged >= 0, frame, "the persistent arena is full");
        if (logged < 0)
            break;
        events += (size_t)logged;
        check((marena_used(persistent) > persistent_used) == (logged > 0), frame,
              "the persistent arena grew without an event, or not with one");

        /* The frame's scratch memory: begin, work, end. */
#if MARENA_HAVE_SCRATCH
        marena_scope_t scope = marena_scratch_begin(&persistent, 1);
#else
        marena_scope_t scope = marena_scope_begin(local);
#endif
        if (scope.arena == NULL) {
            check(0, frame, "no scratch arena");
            break;
        }
        scratch_arena = scope.arena;
        scratch_used = marena_used(scope.arena);
        check(render(&world, scope.arena, frame) == 0, frame, "scratch memory ran out");
        marena_scope_end(scope);
        check(marena_used(scratch_arena) == scratch_used, frame,
              "scratch used() is not back where the frame began");

        /* After the warm-up frames the scratch arena stops growing. */
        if (frame == PATTERN - 1) {
            warm_capacity = marena_capacity(scratch_arena);
#if MARENA_HAVE_STATS
            marena_stats_t stats;

            marena_stats(scratch_arena, &stats);
            warm_calls = stats.backend_calls;
#endif
        } else if (frame >= PATTERN) {
            check(marena_capacity(scratch_arena) == warm_capacity, frame,
                  "the scratch arena grew after the warm-up frames");
#if MARENA_HAVE_STATS
            marena_stats_t stats;

            marena_stats(scratch_arena, &stats);
            check(stats.backend_calls == warm_calls, frame,
                  "the scratch arena called its backend after the warm-up frames");
#endif
        }
    }

    /* The log holds every event, newest first. */
    {
        size_t listed = 0;
        uint32_t last = FRAMES;

        for (const struct event *e = world.events; e != NULL; e = e->next) {
            check(e->frame <= last && e->entity < ENTITIES, e->frame, "a corrupt event");
            last = e->frame;
            listed++;
        }
        check(listed == events && world.event_count == events, 0, "events were lost");
    }
    printf(
        "frame-loop: %u frames; %zu events kept in %zu bytes; scratch capacity %zu bytes "
        "from the warm-up on (%s)\n",
        (unsigned)FRAMES, events, marena_used(persistent), warm_capacity,
        MARENA_HAVE_SCRATCH ? "the thread's scratch arena" : "a local arena");
    check(events > 0, 0, "no entity ever wrapped: the test tests nothing");

#if MARENA_HAVE_SCRATCH
    marena_scratch_release();
#else
    marena_destroy(local);
#endif
    marena_destroy(persistent);
    if (failures != 0) {
        printf("frame-loop: %d checks failed\n", failures);
        return 1;
    }
    printf("frame-loop: all frames checked\n");
    return 0;
}
