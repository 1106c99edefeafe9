#!/bin/sh
# D_K(G(B)) against B-gt on all 240 training-scene pairs of rsblur-like (never the test pairs).
P=runs/bench-newdk/data/rsblur-like
DK=weights/dk-gopro-like-nafnet-small32
b2b() { B2B_THREADS=1 node dist/src/cli/b2b.js "$@"; }
mkdir -p runs/t19/yard
for m in "$@"; do
  case $m in
    dk) b2b eval --pairs $P --deblurrer $DK --quiet --json runs/t19/yard/dk.json ;;
    lowpass) b2b eval --pairs $P --deblurrer $DK --prefilter 0.6 --quiet --json runs/t19/yard/lowpass.json ;;
    *) b2b eval --pairs $P --deblurrer $DK --translator ${m#*=} --quiet --json runs/t19/yard/${m%%=*}.json ;;
  esac | grep "^| output\|^| input"
done
