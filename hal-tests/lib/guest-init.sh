#!/bin/busybox sh
# shellcheck shell=dash disable=SC1091 # busybox ash; /etc/capstan/env is made per run
# /init of the test guest (busybox sh). Mounts the kernel's file systems,
# loads the modules in /etc/capstan/modules, mounts the host's folder at
# /share, runs /etc/capstan/command with /bin/sh -c in /share, reports its
# exit status and powers off.
#
# Console protocol with run-vm (TOKEN is new for each run):
#   @@capstan-vm TOKEN begin           the command starts
#   @@capstan-vm TOKEN exit N          it ended with status N
#   @@capstan-vm TOKEN setup-failed M  the guest could not be set up
#   @@capstan-vm TOKEN note M          something run-vm shows on stderr
# The status also goes to /share/.exit-status.

/bin/busybox mkdir -p /bin /proc /sys /dev /tmp /run /root /share
/bin/busybox --install -s /bin
# /bin/sh is dash, as on Debian: busybox's sh would run its own applets even
# where a real program of that name is in PATH.
/bin/busybox ln -sf dash /bin/sh
# The --bin programs wait in /capstan-bin so that the applets do not replace
# them (busybox has an xz, a cpio...).
for program in /capstan-bin/*; do
    [ -e "$program" ] && /bin/busybox mv -f "$program" /bin/
done
export PATH=/bin:/usr/bin HOME=/root TMPDIR=/tmp

. /etc/capstan/env

marker() {
    echo "@@capstan-vm $TOKEN $*"
}

setup_failed() {
    marker "setup-failed $*"
    poweroff -f
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname capstan-vm

while read -r module params; do
    # shellcheck disable=SC2086 # params is a list of words
    insmod "/lib/modules/$KERNEL_VERSION/$module" $params ||
        setup_failed "insmod $module $params failed"
done </etc/capstan/modules

mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 share /share ||
    setup_failed "mounting the shared folder failed"

clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case $clocksource in
*jiffies*)
    marker "note the clock source is $clocksource (4 ms resolution): the host was too busy while the kernel calibrated its clock" ;;
esac

cd /share || setup_failed "no /share"
marker begin
/bin/sh -c "$(cat /etc/capstan/command)" </dev/null
status=$?
cd /
echo "$status" >/share/.exit-status
sync
umount /share
marker "exit $status"
poweroff -f
sleep 10
