#!/bin/sh
# D_K(G(B)) against B-gt on all 240 training-scene pairs of a camera (never the test pairs): CAMERA=phone-like sh … (default rsblur-like).
P=runs/bench-newdk/data/${CAMERA:-rsblur-like}
DK=weights/dk-gopro-like-nafnet-small32
b2b() { B2B_THREADS=1 node dist/src/cli/b2b.js "$@"; }
Y=runs/t19/yard${CAMERA:+-$CAMERA}
mkdir -p $Y
for m in "$@"; do
  case $m in
    dk) b2b eval --pairs $P --deblurrer $DK --quiet --json $Y/dk.json ;;
    lowpass) b2b eval --pairs $P --deblurrer $DK --prefilter 0.6 --quiet --json $Y/lowpass.json ;;
    *) b2b eval --pairs $P --deblurrer $DK --translator ${m#*=} --quiet --json $Y/${m%%=*}.json ;;
  esac | grep "^| output\|^| input"
done
