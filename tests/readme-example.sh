#!/bin/sh
# readme-example.sh README.md: print the C++ program that README.md's "C++"
# section shows, the ```cpp block after the line `<!-- test: cpp-readme -->`,
# so that the build compiles and runs the README as it stands (test
# cpp-readme). Prints nothing when the marker is missing, and the build
# then fails (no main).
awk '/^<!-- test: cpp-readme -->$/ { marked = 1; next }
     marked && /^```cpp$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$1"
