#!/usr/bin/env bash
# Rebuilds the fonts the card tests draw with besides the bundled ones: Debian's Noto CJK,
# Looped Thai and Color Emoji (SIL OFL 1.1, see ../../fonts/OFL.txt), cut down to the characters
# the card tests use, so that the goldens compare pixel for pixel on any machine and never skip.
#   apt-get install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
#   pip install fonttools && tests/fonts/make-subsets.sh
# The faces keep their names and every layout feature (the kinsoku and vertical forms are
# not used; locl and kerning are), so a card draws the same with these as with the full fonts.
set -euo pipefail
cd "$(dirname "$0")"
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
cat ../card/*.rs ../../src/card/*.rs >"$chars"
printf '…‐-' >>"$chars"

subset() { # source-file font-number output
  pyftsubset "$1" --font-number="$2" --text-file="$chars" --layout-features='*' --no-hinting \
    --name-IDs='*' --notdef-outline --output-file="$3"
}
cjk=/usr/share/fonts/opentype/noto
noto=/usr/share/fonts/truetype/noto
# Faces of the CJK collections: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK.
for weight in Regular Bold; do
  subset "$cjk/NotoSansCJK-$weight.ttc" 0 "NotoSansCJKjp-$weight.subset.otf"
  subset "$cjk/NotoSansCJK-$weight.ttc" 2 "NotoSansCJKsc-$weight.subset.otf"
  subset "$noto/NotoLoopedThai-$weight.ttf" 0 "NotoLoopedThai-$weight.subset.ttf"
done
subset "$noto/NotoColorEmoji.ttf" 0 NotoColorEmoji.subset.ttf
ls -l ./*.subset.*
