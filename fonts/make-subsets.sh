#!/usr/bin/env bash
# Rebuilds the bundled font subsets from Debian's fonts-noto-core (SIL OFL 1.1).
#   apt-get install fonts-noto-core && pip install fonttools && fonts/make-subsets.sh
# Hinting is dropped (the renderer rasterises outlines itself); every OpenType layout feature
# is kept (kerning, ligatures, Arabic joining, mark positioning).
set -euo pipefail
cd "$(dirname "$0")"
src=/usr/share/fonts/truetype/noto

latin="U+0000-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1AB0-1AFF,U+1C80-1C8F,U+1D00-1DBF,U+1DC0-1DFF,U+1E00-1EFF,U+1F00-1FFF,U+2000-206F,U+2070-209F,U+20A0-20CF,U+2100-214F,U+2150-218F,U+2190-21FF,U+2212,U+2215,U+25CC,U+2C60-2C7F,U+2DE0-2DFF,U+A640-A69F,U+A720-A7FF,U+FB00-FB06,U+FEFF,U+FFFD"
arabic="U+0000-0040,U+005B-0060,U+007B-00A0,U+00AB,U+00BB,U+0600-06FF,U+0750-077F,U+0870-089F,U+08A0-08FF,U+200C-200F,U+2010-2027,U+2030-205E,U+25CC,U+FB50-FDFF,U+FE70-FEFF"
hebrew="U+0000-0040,U+005B-0060,U+007B-00A0,U+0591-05FF,U+200C-200F,U+2010-2027,U+20AA,U+25CC,U+FB1D-FB4F"

subset() { # source-file ranges output
  pyftsubset "$src/$1" --unicodes="$2" --layout-features='*' --no-hinting --name-IDs='*' \
    --notdef-outline --output-file="$3"
}
for weight in Regular Bold; do
  subset "NotoSans-$weight.ttf" "$latin" "NotoSans-$weight.subset.ttf"
  subset "NotoSansArabic-$weight.ttf" "$arabic" "NotoSansArabic-$weight.subset.ttf"
  subset "NotoSansHebrew-$weight.ttf" "$hebrew" "NotoSansHebrew-$weight.subset.ttf"
done
ls -l ./*.subset.ttf
