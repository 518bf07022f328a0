# shellcheck shell=dash
# The guest half of hal-tests/gpio (dash, in /share). Sets up a gpio-sim chip
# standing in for the Pi's header (label pinctrl-bcm2711, 32 lines), the vfb
# framebuffer and a tmpfs card, runs `capstan run` on them with the counter
# signal on snd-aloop, presses the buttons with bouncing contacts through the
# lines' sysfs `pull`, and leaves what the host checks in /share:
#   run.log run.out      the box's log and the takes it reported
#   steps.txt            KEY=VALUE lines: what the guest saw at each step
#   fb0.raw screen.png   the framebuffer and the sim's render of the same state
#   takes/               the takes, copied off the tmpfs card
#   gpiomon-N.txt        the edges of bounce bursts on a spare line
#   bounce.txt           how long each bounce of the box's buttons took (us)
set -u
step() { echo "$1" >>/share/steps.txt; }
die() {
    echo "guest: $*"
    exit 3
}

# The Pi's header lines (firmware/capstan board profile pi4).
REC=5 STOP=13 MARK=26 TALLY=12 SPARE=27

insmod /share/gpio_sim_vm.ko || die "insmod gpio_sim_vm.ko failed"
mkdir -p /config
mount -t configfs none /config || die "mounting configfs failed"
B=/config/gpio-sim/box
mkdir $B $B/bank0 || die "no /config/gpio-sim: is the module loaded?"
echo 32 >$B/bank0/num_lines
# The pi4 profile finds its chip by this label.
echo pinctrl-bcm2711 >$B/bank0/label
echo 1 >$B/live || die "gpio-sim did not go live"
L=/sys/devices/platform/$(cat $B/dev_name)/$(cat $B/bank0/chip_name)
[ -e "$L/sim_gpio$REC/pull" ] || die "no $L/sim_gpio$REC/pull"
for l in $REC 6 $STOP $MARK $SPARE; do echo pull-up >"$L/sim_gpio$l/pull"; done

# One contact's bounce (gpio.d/bounce.c): five level changes 250 us apart,
# the last one the level that stays; its span goes to /share/bounce.txt.
press() { bounce "$L/sim_gpio$1/pull" down 5 250 >>/share/bounce.txt; }
release() { bounce "$L/sim_gpio$1/pull" up 5 250 >>/share/bounce.txt; }
# push LINE SECONDS: a bouncing press, held, and a bouncing release.
push() {
    press "$1"
    sleep "$2"
    release "$1"
}
count() { grep -c "$1" /share/run.log; }

# How the bounce looks to a reader of the line: bursts on a spare line,
# watched by gpiomon (its own line: the box's lines are taken).
for try in 1 2 3; do
    gpiomon --num-events=5 gpiochip0 $SPARE >/share/gpiomon-$try.txt 2>&1 &
    mon=$!
    sleep 1
    press $SPARE
    sleep 1
    kill $mon 2>/dev/null
    wait $mon 2>/dev/null
    echo pull-up >"$L/sim_gpio$SPARE/pull"
    sleep 0.5
done
: >/share/bounce.txt

# The display: vfb at 640x480, 32 bits; the text console off it, so that only
# the box draws there.
[ -e /dev/fb0 ] || die "no /dev/fb0: is vfb loaded with vfb_enable=1?"
for v in /sys/class/vtconsole/vtcon*; do
    grep -q "frame buffer" "$v/name" 2>/dev/null && echo 0 >"$v/bind"
done
step "FB=$(cat /sys/class/graphics/fb0/virtual_size) $(cat /sys/class/graphics/fb0/bits_per_pixel) $(cat /sys/class/graphics/fb0/stride)"

# The card: a tmpfs of fixed size, so the free space on screen holds still.
mkdir -p /takes
mount -t tmpfs -o size=256m card /takes || die "mounting the tmpfs card failed"

# The contacts' settle time, from the host (GPIO_SETTLE_MS).
SETTLE=$(cat /share/settle-ms)
cat >/tmp/box.toml <<EOF
scene = "GPIO"
[recorder]
period_frames = 2048
[audio]
periods = 4
[board]
profile = "pi4"
display = "fb0"
takes = "/takes"
snapshot = "/tmp/screen.png"
debounce_ms = $SETTLE
EOF

capstan signal --device hw:Loopback,0,0 --channels 2 --rate 48000 --format S16_LE \
    --period 2048 --seconds 600 2>/share/signal.log &
player=$!
sleep 1
capstan --config /tmp/box.toml run --device hw:Loopback,1,0 --channels 2 --rate 48000 \
    --bits 16 >/share/run.out 2>/share/run.log &
box=$!

i=0
until grep -q "running the box" /share/run.log && [ -e /tmp/screen.png ]; do
    i=$((i + 1))
    if [ $i -gt 60 ] || ! kill -0 $box 2>/dev/null; then
        step "BOX_UP=0"
        cat /share/run.log
        exit 4
    fi
    sleep 1
done
step "BOX_UP=1"
sleep 2

# MARK/ARM while stopped arms every track; counted twice it would disarm them
# again and REC would say "no track armed".
push $MARK 0.3
sleep 1.5
# REC starts the take; counted twice, the second press would add a marker.
push $REC 0.3
i=0
until [ "$(cat "$L/sim_gpio$TALLY/value")" = 1 ] || [ $i -ge 20 ]; do
    i=$((i + 1))
    sleep 1
done
step "TALLY_RECORDING=$(cat "$L/sim_gpio$TALLY/value")"
step "MARKERS_AFTER_REC=$(count 'marker ')"
sleep 2
# Two markers, each a bouncing press.
push $MARK 0.3
sleep 1.5
push $MARK 0.3
sleep 1.5
step "MARKERS=$(count 'marker ')"
# A tap on STOP, far shorter than the 500 ms hold: the take goes on.
push $STOP 0.1
sleep 3
step "AFTER_TAP_CLOSED=$(count ' closed: ')"
step "AFTER_TAP_HOLD_MESSAGES=$(count 'hold STOP to stop recording')"
step "AFTER_TAP_TALLY=$(cat "$L/sim_gpio$TALLY/value")"
# STOP held for 2 s: the take stops.
push $STOP 2
i=0
until [ "$(count ' closed: ')" -ge 1 ] || [ $i -ge 30 ]; do
    i=$((i + 1))
    sleep 1
done
step "AFTER_HOLD_CLOSED=$(count ' closed: ')"
sleep 1
step "AFTER_HOLD_TALLY=$(cat "$L/sim_gpio$TALLY/value")"

# The display at rest: the signal off, the box stopped. Read the framebuffer
# and the sim's PNG until two readings a second apart agree, so both are of
# one state.
kill $player 2>/dev/null
wait $player 2>/dev/null
i=0
while [ $i -lt 30 ]; do
    i=$((i + 1))
    sleep 1
    cat /dev/fb0 >/tmp/fb.a
    cp /tmp/screen.png /tmp/png.a
    sleep 1
    cat /dev/fb0 >/tmp/fb.b
    cp /tmp/screen.png /tmp/png.b
    if cmp -s /tmp/fb.a /tmp/fb.b && cmp -s /tmp/png.a /tmp/png.b; then
        cp /tmp/fb.b /share/fb0.raw
        cp /tmp/png.b /share/screen.png
        break
    fi
done
step "DISPLAY_READS=$i"

kill -TERM $box
wait $box
step "BOX_EXIT=$?"
cp -r /takes /share/takes
step "DONE=1"
