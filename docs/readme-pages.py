#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""readme-pages.py README OUTDIR: README.md's concept sections as Doxygen pages.

The API reference's pages on behaviour, growth and lifetime, accounting,
backends, hardening, embedded targets, build options and consuming marena
are README.md's own text, cut out at build time (docs/meson.build runs this
before doxygen), so the two never disagree. Each page is a markdown file,
OUTDIR/<id>.md, whose first line is `# Title {#id}`; the section's
subheadings move up as far as its own heading did.

A page is either whole sections (a heading, up to the next heading of its
level or above), or the list items of some sections that start with a bold
label (`- **Accounting.** ...`): the accounting page gathers what README
says about accounting wherever it says it. Every section and label must be
found, or this fails: renaming a README heading breaks the build instead of
emptying a page.
"""
import os
import re
import sys

# (id, title, [(heading, what), ...], introduction); what is WHOLE (the
# section with its subsections), OWN (up to its first subsection), or a
# list of labels.
WHOLE = "whole"
OWN = "own"
PAGES = [
    ("page_behaviour", "Behaviour", [("Behaviour", OWN)],
     "What every call does with good and bad input, and the choices made "
     "where a specification would be silent."),
    ("page_growth", "Growth and lifetime", [("Growth and lifetime", WHOLE)],
     "How growing arenas take blocks, what reset, rewind and realloc give "
     "back, and how the optional parts behave."),
    ("page_accounting", "Accounting",
     [("Behaviour", ["Accounting.", "Largest arena."]),
      ("Growth and lifetime", ["Accounting.", "Limit.", "Reserve/commit", "Statistics."])],
     "What marena_used(), marena_remaining(), marena_capacity() and "
     "marena_stats() count, and what a limit bounds. Gathered from the "
     "@ref page_behaviour and @ref page_growth pages."),
    ("page_backends", "Backends", [("Backends", WHOLE)],
     "Where arenas get their memory, the build's configuration macros, and "
     "how to write a backend."),
    ("page_hardening", "Hardening", [("Hardening", WHOLE)],
     "AddressSanitizer and Valgrind support, debug-build misuse checks, "
     "wipes, guard pages, fault injection and fuzzing."),
    ("page_embedded", "Embedded targets", [("Embedded targets", WHOLE)],
     "marena on bare metal: the static backend, code size, and where it "
     "is tested."),
    ("page_options", "Build options", [("Build options", WHOLE)],
     "The meson options, each a part of the library that can be left out."),
    ("page_consuming", "Consuming marena", [("Consuming marena", WHOLE)],
     "Using marena from a Meson, CMake or pkg-config project."),
]


def parse(lines):
    """Headings outside code fences: [(index, level, text)]."""
    headings = []
    fence = False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            match = re.match(r"(#{1,6}) +(.*?) *$", line)
            if match:
                headings.append((index, len(match.group(1)), match.group(2)))
    return headings


def section(lines, headings, title, own=False):
    """The lines of the section headed title (only up to its first
    subsection when own), and its heading's level."""
    for position, (index, level, text) in enumerate(headings):
        if text == title:
            end = len(lines)
            for later, later_level, _ in headings[position + 1:]:
                if own or later_level <= level:
                    end = later
                    break
            return lines[index + 1:end], level
    raise SystemExit(f"readme-pages.py: README has no heading '{title}'")


def shift(lines, level):
    """Subheadings one level up for each level the section's heading had
    above a page title; code fences left alone."""
    out = []
    fence = False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        match = None if fence else re.match(r"(#{2,6}) +(.*)", line)
        if match:
            line = "#" * max(2, len(match.group(1)) - (level - 1)) + " " + match.group(2)
        out.append(line)
    return out


def labelled_items(lines, labels, title):
    """The top-level list items that start with **label**, in README order."""
    items = []
    current = None
    for line in lines:
        if line.startswith("- "):
            current = [line] if any(line.startswith(f"- **{label}") for label in labels) else None
            if current is not None:
                items.append(current)
        elif current is not None and (line.startswith("  ") or line == ""):
            current.append(line)
        else:
            current = None
    for label in labels:
        if not any(item[0].startswith(f"- **{label}") for item in items):
            raise SystemExit(f"readme-pages.py: no item '**{label}**' under '{title}'")
    return [line for item in items for line in item if line != ""]


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: readme-pages.py README OUTDIR")
    with open(sys.argv[1], encoding="utf-8") as readme:
        lines = readme.read().splitlines()
    headings = parse(lines)
    for page, title, parts, introduction in PAGES:
        body = []
        for heading, what in parts:
            text, level = section(lines, headings, heading, own=what != WHOLE)
            if what in (WHOLE, OWN):
                body += shift(text, level)
            else:
                body += ["", f"From \"{heading}\":", ""] + labelled_items(text, what, heading)
        sections = " and ".join(f"\"{heading}\"" for heading, _ in parts)
        with open(os.path.join(sys.argv[2], page + ".md"), "w", encoding="utf-8") as out:
            out.write(f"# {title} {{#{page}}}\n\n{introduction}\n\n")
            out.write("\n".join(body).strip("\n") + "\n\n")
            out.write(f"<small>This page is generated from README.md ({sections}) "
                      "when the documentation is built.</small>\n")


if __name__ == "__main__":
    main()
