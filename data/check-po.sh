#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-po.sh PO_DIR: fails unless every language in PO_DIR/LINGUAS has a
# translation for every message, none of them fuzzy. Messages are checked
# both as the .po file holds them and against a fresh extraction from the
# files in POTFILES.in, so a string added to the sources without running
# the ioc-console-update-po target is reported too.
set -u

po_dir=$1
source_root=$(dirname "$po_dir")
status=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Reports each untranslated or fuzzy message of $1, named $2; fails if any.
report_incomplete () {
  msgattrib --untranslated --no-wrap "$1" >"$tmp/untranslated" || return 1
  msgattrib --only-fuzzy --no-wrap "$1" >"$tmp/fuzzy" || return 1
  result=0
  if [ -s "$tmp/untranslated" ]; then
    echo "$2: untranslated messages:"
    grep '^msgid ' "$tmp/untranslated" | grep -v '^msgid ""$'
    result=1
  fi
  if [ -s "$tmp/fuzzy" ]; then
    echo "$2: fuzzy messages:"
    grep '^msgid ' "$tmp/fuzzy" | grep -v '^msgid ""$'
    result=1
  fi
  return $result
}

# The sources' messages, extracted as the gettext 'glib' preset does.
pot=""
if command -v xgettext >/dev/null 2>&1; then
  grep -v '^[[:space:]]*#' "$po_dir/POTFILES.in" | grep -v '^[[:space:]]*$' \
    >"$tmp/POTFILES" || true
  if [ -s "$tmp/POTFILES" ]; then
    if (cd "$source_root" &&
        xgettext --files-from="$tmp/POTFILES" --output="$tmp/sources.pot" \
          --from-code=UTF-8 --add-comments --force-po \
          --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
          --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 \
          --keyword=g_dpgettext2:2c,3); then
      pot="$tmp/sources.pot"
    else
      echo "xgettext failed on the files in POTFILES.in"
      status=1
    fi
  fi
else
  echo "xgettext not found: checking the .po files only"
fi

# LINGUAS separates languages by spaces or new lines: split on both.
# shellcheck disable=SC2013
for lang in $(grep -v '^[[:space:]]*#' "$po_dir/LINGUAS"); do
  po="$po_dir/$lang.po"
  if [ ! -f "$po" ]; then
    echo "$lang is in LINGUAS but $po does not exist"
    status=1
    continue
  fi

  printf '%s: ' "$lang.po"
  msgfmt --check --statistics --output-file=/dev/null "$po" 2>&1 || status=1

  po_complete=yes
  report_incomplete "$po" "$lang.po" || po_complete=no
  [ $po_complete = yes ] || status=1

  if [ -n "$pot" ]; then
    if msgmerge --quiet --no-wrap --output-file="$tmp/$lang.po" "$po" "$pot"; then
      if ! report_incomplete "$tmp/$lang.po" "$lang.po against the sources"; then
        if [ $po_complete = yes ]; then
          echo "$lang.po lacks strings of the sources: run" \
            "'meson compile -C <builddir> ioc-console-update-po', then translate them"
        fi
        status=1
      fi
    else
      status=1
    fi
  fi
done

exit $status
