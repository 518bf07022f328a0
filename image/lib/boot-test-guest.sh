#!/bin/sh
# shellcheck shell=dash
# The boot test's part inside the box (run by systemd as kernel-command-line
# .service, from the firmware partition where image/boot-test put it). The box
# itself (capstan.service) starts on its own; this waits until it is ready,
# plays the counter signal into snd-aloop, presses MARK/ARM, REC and a held
# STOP through the keys FIFO, and checks the take and the system; then starts a
# second take and tells the host to cut the power. At the next boot it checks
# that the cut take was recovered. Lines for the host start with "@@boot-test".
set -u
RECORD_SECONDS=${RECORD_SECONDS:-8}
say() { echo "@@boot-test $*" >/dev/console; }
fail() {
    say "FAIL $*"
    journalctl -b --no-pager -o short-monotonic | tail -n 60 | sed 's/^/@@boot-test log /' >/dev/console
    exit 1
}
journal_line() { # the first line of the box's journal matching $1
    journalctl -b -u capstan.service -o short-monotonic --no-pager 2>/dev/null | grep -m1 "$1"
}
wait_for() { # pattern seconds
    i=0
    until line=$(journal_line "$1"); do
        i=$((i + 1))
        [ "$i" -le $(($2 * 5)) ] || return 1
        sleep 0.2
    done
    echo "$line"
}

line=$(wait_for 'running the box' 300) || fail "the box never became ready to record"
# "[   12.345678] capstan capstan[123]: ..." : seconds since the kernel started.
ready=$(echo "$line" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
say "ready $ready"

verify() { # take folder
    take verify --pattern counter "$1" >/tmp/verify.txt 2>&1
    status=$?
    sed 's/^/@@boot-test verify /' /tmp/verify.txt >/dev/console
    say "verify status=$status"
    [ "$status" = 0 ] || fail "take verify rejected $1"
}

# The boot after the power cut (image/boot-test marks it on the card): the
# takes partition was checked (systemd-fsck, fsck.exfat), the box recovered
# the cut take when it started; that take must verify.
if [ "$(cat /boot/firmware/boot-test.mode 2>/dev/null)" = after-cut ]; then
    say "fsck $(journalctl -b -o cat --no-pager -t systemd-fsck | tr '\n' ' ')"
    if recovered=$(journal_line 'recovered'); then
        say "recovered ${recovered#*: }"
    else
        say "recovery: nothing to repair (the last commit's sizes had reached the card)"
    fi
    verify /media/capstan/takes/S01-T002
    say "passed"
    exit 0
fi

# The system: the root read-only, the takes on exFAT, the box as its own user
# with its audio thread realtime, nothing listening on the network, no password.
awk '$2 == "/" { print $4 }' /proc/mounts | grep -q '^ro' || fail "the root is not mounted read-only"
awk '$2 == "/media/capstan" { print $3 }' /proc/mounts | grep -qx exfat || fail "/media/capstan is not an exFAT mount"
takes_dev=$(awk '$2 == "/media/capstan" { print $1 }' /proc/mounts)
takes_mib=$(($(cat "/sys/class/block/${takes_dev##*/}/size") / 2048))
# The image's 1024 MiB and the 512 MiB image/boot-test added to the card.
[ "$takes_mib" -gt 1400 ] || fail "the takes partition did not grow to the card's end ($takes_mib MiB)"
# The grow ran to its end (systemd once stopped it after mkfs.exfat, when the
# partition it had grown went away and came back), and the file system fills
# the grown partition.
grow=capstan-grow-takes@${takes_dev##*/}.service
journalctl -b -u "$grow" -o cat --no-pager | grep -q 'is the takes partition CAPSTAN' ||
    fail "$grow did not finish: $(systemctl show -p Result --value "$grow")"
fs_mib=$(df -m --output=size /media/capstan | tail -n 1 | tr -d ' ')
[ "$fs_mib" -gt $((takes_mib - 64)) ] || fail "the exFAT of /media/capstan holds $fs_mib MiB of its partition's $takes_mib"
pid=$(systemctl show -p MainPID --value capstan.service)
user=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$user" = 990 ] || fail "the box runs as uid $user, not capstan (990)"
cpus=$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status")
[ "$cpus" = 3 ] || fail "the box runs on cores $cpus, not on core 3 alone"
others=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/1/status)
listening=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A"' | wc -l)
udp=$(cat /proc/net/udp /proc/net/udp6 2>/dev/null | awk 'NR > 1 && $1 != "sl"' | wc -l)
[ "$listening" = 0 ] && [ "$udp" = 0 ] || fail "sockets open: $listening TCP listening, $udp UDP"
awk -F: '$2 !~ /^[*!]/ { bad = bad " " $1 } END { if (bad != "") { print bad; exit 1 } }' /etc/shadow >/tmp/pw ||
    fail "accounts with a password:$(cat /tmp/pw)"
# sd_notify: the box told systemd it is ready, and its watchdog is armed.
status_text=$(systemctl show -p StatusText --value capstan.service)
[ "$status_text" = "ready to record" ] || fail "the box did not notify systemd (status: '$status_text')"
watchdog=$(systemctl show -p WatchdogUSec --value capstan.service)
[ -n "$watchdog" ] && [ "$watchdog" != 0 ] && [ "$watchdog" != infinity ] || fail "no service watchdog ($watchdog)"
say "checks root=ro takes=exfat,${takes_mib}MiB user=capstan box-cores=$cpus init-cores=$others listening=0 passwords=none notify=ready watchdog=$watchdog"

# The counter signal into the loopback; the box records the other side.
capstan signal --device hw:Loopback,0,0 --channels 2 --rate 48000 --format S32_LE \
    --period 2048 --seconds $((RECORD_SECONDS + 30)) 2>/tmp/signal.log &
player=$!
sleep 2
# MARK/ARM arms every track (the box starts with none armed), then REC.
echo m >/run/capstan/keys
sleep 0.5
echo r >/run/capstan/keys
wait_for 'recording take' 30 >/dev/null || fail "REC did not start a take"
for t in /proc/"$pid"/task/*; do
    policy=$(chrt -p "${t##*/}" 2>/dev/null | sed -n 's/.*policy: *//p')
    [ "$policy" = SCHED_FIFO ] && say "realtime thread $(cat "$t/comm") $(chrt -p "${t##*/}" | sed -n 's/.*priority: *//p')"
done
sleep "$RECORD_SECONDS"
# STOP held (a tapped STOP only shows a hint).
echo S >/run/capstan/keys
closed=$(wait_for 'take .* closed' 60) || fail "STOP did not close the take"
say "closed ${closed#*: }"
kill "$player" 2>/dev/null
wait "$player" 2>/dev/null

verify /media/capstan/takes/S01-T001
say "passed"

# The next take is cut by the power (image/boot-test kills qemu at cut-now),
# a few commits into it.
capstan signal --device hw:Loopback,0,0 --channels 2 --rate 48000 --format S32_LE \
    --period 2048 --seconds 120 2>/tmp/signal.log &
sleep 2
echo r >/run/capstan/keys
wait_for 'recording take S01-T002' 30 >/dev/null || fail "REC did not start the second take"
sleep 5
say "cut-now"
sleep 600
