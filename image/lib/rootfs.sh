# shellcheck shell=bash
# The box's root file system: Debian 12 arm64 packages unpacked with mmdebstrap
# (variant extract: nothing of arm64 runs on the build machine), then set up by
# hand what the packages' maintainer scripts would have done. Sourced by
# image/build, not executed. Needs KERNEL_FLAVOUR, CACHE, IMAGE_DIR, log, die.

MIRROR=${CAPSTAN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${CAPSTAN_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# What the box runs: systemd as init, udev, kmod, alsa-lib, the exFAT checker,
# the Pi's boot firmware and Debian's kernel. No network stack, no ssh, no
# login: nothing listens anywhere.
root_packages() {
    local kernel=linux-image-arm64
    [[ $KERNEL_FLAVOUR == rt ]] && kernel=linux-image-rt-arm64
    local p=(
        base-files base-passwd bash coreutils dash libc-bin util-linux mount
        sed grep mawk findutils
        systemd systemd-sysv udev kmod libasound2 exfatprogs dosfstools fdisk
        busybox-static raspi-firmware "$kernel"
    )
    local IFS=,
    echo "${p[*]}"
}

# Unpack the packages into a tar archive in the cache (about 16 s and 150 MB of
# downloads the first time); print its path.
fetch_root_archive() {
    local packages key archive
    packages=$(root_packages)
    key=$(printf '%s\n' "$packages" "$MIRROR" "$SECURITY_MIRROR" | sha256sum | cut -c1-16)
    archive=$CACHE/image/root-$KERNEL_FLAVOUR-$key.tar
    if [[ ${REFRESH:-0} == 1 || ! -s $archive ]]; then
        mkdir -p "$CACHE/image"
        log "unpacking Debian 12 arm64 packages with mmdebstrap: $packages"
        rm -f "$CACHE/image"/root-"$KERNEL_FLAVOUR"-*.tar
        mmdebstrap --quiet --variant=extract --architectures=arm64 --mode=root --format=tar \
            --include="$packages" bookworm "$archive.tmp" \
            "deb $MIRROR bookworm main non-free-firmware" \
            "deb $MIRROR bookworm-updates main non-free-firmware" \
            "deb $SECURITY_MIRROR bookworm-security main non-free-firmware" >&2 ||
            die "mmdebstrap could not fetch the packages (network? see its messages above)"
        mv "$archive.tmp" "$archive"
    fi
    echo "$archive"
}

# The kernel release unpacked in root $1, e.g. 6.1.0-56-rt-arm64.
kernel_release() {
    local dirs=("$1"/lib/modules/*)
    ((${#dirs[@]} == 1)) && [[ -d ${dirs[0]} ]] ||
        die "expected one kernel in $1/lib/modules, found: ${dirs[*]##*/}"
    basename "${dirs[0]}"
}

# Set up root $1 as the maintainer scripts would have, plus the box's files:
# users, systemd units enabled by symlinks, module index, library cache.
configure_root() {
    local root=$1 bin_dir=$2 release
    release=$(kernel_release "$root")

    # Users: Debian's base set (base-passwd), then systemd's and the box's
    # (sysusers.d, run by the host's systemd-sysusers on the root). Every
    # password is locked ('*'): there is no login on the box.
    cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
    cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
    awk -F: '{ print $1 ":*:19000:0:99999:7:::" }' "$root/etc/passwd" >"$root/etc/shadow"
    awk -F: '{ print $1 ":*::" }' "$root/etc/group" >"$root/etc/gshadow"
    chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
    chgrp 42 "$root/etc/shadow" "$root/etc/gshadow" # group shadow

    # The box's own files (units, config, sysctl, udev rules, fstab).
    cp -a "$IMAGE_DIR/rootfs/." "$root/"
    chown -R 0:0 "$root/etc/capstan" "$root/etc/systemd/system" "$root/usr/lib/capstan"
    install -m 755 "$bin_dir/capstan" "$bin_dir/take" "$root/usr/bin/"

    systemd-sysusers --root="$root" >&2 || die "systemd-sysusers failed on the root"
    grep -q '^capstan:x:990:990:' "$root/etc/passwd" || die "the capstan user was not created"
    grep -q '^audio:.*capstan' "$root/etc/group" || die "capstan is not in the audio group"

    # Read-only root: systemd puts a machine id in RAM over the empty file.
    : >"$root/etc/machine-id"
    mkdir -p "$root/boot/firmware" "$root/media/capstan" "$root/var/lib/systemd" "$root/srv" \
        "$root/root/.ssh"
    install -d -m 700 "$root/var/lib/private" "$root/var/cache/private" "$root/var/log/private"
    ln -sfn ../proc/self/mounts "$root/etc/mtab"
    # What update-alternatives would have made: awk is mawk.
    ln -sfn mawk "$root/usr/bin/awk"

    # Services: the box, its keys FIFO, the interrupt priorities; multi-user
    # without any getty (no login). Nothing else is enabled.
    systemctl --root="$root" --quiet set-default multi-user.target
    systemctl --root="$root" --quiet enable capstan.socket capstan.service capstan-rtirq.service
    # No login anywhere (consoles and the serial line included); services that
    # write to a read-only root at every boot or wait for hardware the box has
    # not got: masked.
    systemctl --root="$root" --quiet mask \
        getty@.service serial-getty@.service getty-static.service console-getty.service \
        systemd-firstboot.service systemd-pstore.service \
        systemd-hwdb-update.service ldconfig.service systemd-journal-catalog-update.service \
        e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer \
        2>/dev/null || true
    # The hwdb and the journal catalog, built at image time (their update
    # services above cannot write to the root at boot).
    systemd-hwdb --root="$root" update >&2 || log "systemd-hwdb update failed (udev works without it)"

    # The module index for modprobe and the library cache for ld.so.
    depmod -b "$root" "$release" || die "depmod failed on $release"
    ldconfig -r "$root" 2>/dev/null || log "ldconfig -r failed: ld.so searches its default folders"

    # Space: manuals, translations and docs are not read on the box; the
    # copyright files stay.
    rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale" \
        "$root/var/cache/apt" "$root/var/lib/apt/lists"
    find "$root/usr/share/doc" -type f ! -name copyright -delete
    # Graphics drivers for PCIe cards the Pi cannot carry.
    rm -rf "$root/lib/modules/$release/kernel/drivers/gpu/drm/"{amd,radeon,nouveau,i915}
    depmod -b "$root" "$release"
}
