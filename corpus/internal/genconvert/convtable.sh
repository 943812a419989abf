#!/usr/bin/env bash
# Regenerates the script-conversion tables of corpus/convert.go
# (corpus/data/st_characters.txt, st_phrases.txt, ts_phrases.txt) from
# Debian's OpenCC data (apt-get install opencc) and the built-in passages.
# OpenCC's dictionaries are Apache-2.0; see corpus/data/NOTICE.
set -euo pipefail
cd "$(dirname "$0")/../../.."
src=/usr/share/opencc
[ -f "$src/STPhrases.ocd2" ] || { echo "missing $src/STPhrases.ocd2: run 'apt-get install opencc'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in STCharacters STPhrases TWVariants TSPhrases; do
  opencc_dict -i "$src/$d.ocd2" -o "$tmp/$d.txt" -f ocd2 -t text
done
go run ./corpus/internal/genconvert -opencc "$tmp" -passages corpus/data/passages.jsonl -out corpus/data
wc -l corpus/data/st_characters.txt corpus/data/st_phrases.txt corpus/data/ts_phrases.txt
