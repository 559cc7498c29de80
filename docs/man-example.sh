#!/bin/sh
# man-example.sh PAGE: print the C program between .EX and .EE in a manual
# page, with the roff escapes it uses (\(aq, \e, \-) turned back into C, so
# the build can compile and run the example that marena(3) shows.
sed -n '/^\.EX$/,/^\.EE$/{/^\.E[XE]$/d;s/\\(aq/'"'"'/g;s/\\-/-/g;s/\\e/\\/g;p;}' "$1"
