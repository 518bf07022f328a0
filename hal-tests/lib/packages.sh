# shellcheck shell=bash
# Host tools and guest packages, all from Debian's registry through apt.
# Sourced, not executed. Needs common.sh and set_arch.

APT_UPDATED=0

# apt-get as root, non-interactive, waiting for other apt runs to finish.
apt_root() {
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -o DPkg::Lock::Timeout=600 "$@"
}

# apt-get update, at most once per run. apt's lists lock has no timeout
# option, so retry while another apt run holds it.
apt_update() {
    [[ $APT_UPDATED == 1 ]] && return 0
    local try
    for try in 1 2 3 4 5 6; do
        if apt_root update >&2; then
            APT_UPDATED=1
            return 0
        fi
        log "apt-get update failed (try $try), retrying in 10 s"
        sleep 10
    done
    die "apt-get update failed"
}

# Install Debian packages on the host. Never removes a package: if one would
# have to go, apt fails and so do we.
apt_install() {
    log "installing on the host: $*"
    if ! apt_root install -y --no-install-recommends --no-remove "$@" >&2; then
        apt_update
        apt_root install -y --no-install-recommends --no-remove "$@" >&2 ||
            die "could not install $* with apt-get"
    fi
}

# Make sure the host has qemu for the guest arch and the tools to build the
# initramfs.
ensure_host_tools() {
    local missing=()
    command -v "$ARCH_QEMU" >/dev/null || missing+=("$ARCH_QEMU_PKG")
    command -v cpio >/dev/null || missing+=(cpio)
    command -v depmod >/dev/null || missing+=(kmod)
    command -v readelf >/dev/null || missing+=(binutils)
    command -v flock >/dev/null || missing+=(util-linux)
    if [[ $ARCH == x86_64 ]]; then
        command -v xz >/dev/null || missing+=(xz-utils)
    fi
    if ((${#missing[@]})); then
        if qemu_from_backports; then
            apt_install_backports "${missing[@]}"
        else
            apt_install "${missing[@]}"
        fi
    fi
}

# True when the host has qemu parts from bookworm-backports (qemu-utils 10 on
# some machines): Debian 12's own qemu-system 7.2 conflicts with them, so
# qemu-system must come from backports too.
qemu_from_backports() {
    dpkg-query -W -f='${Version}\n' qemu-utils qemu-system-common 2>/dev/null | grep -q 'bpo12'
}

# apt_install from bookworm-backports, adding that suite as an apt source
# (same mirror as bookworm) when the host has none.
apt_install_backports() {
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        log "adding bookworm-backports as an apt source (the host's qemu parts come from it)"
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
            as_root tee /etc/apt/sources.list.d/capstan-backports.sources >/dev/null
        apt_update
    fi
    log "installing on the host from bookworm-backports: $*"
    apt_root install -y --no-install-recommends --no-remove -t bookworm-backports "$@" >&2 || {
        apt_update
        apt_root install -y --no-install-recommends --no-remove -t bookworm-backports "$@" >&2 ||
            die "could not install $* from bookworm-backports with apt-get"
    }
}

# Let apt fetch packages of Debian architecture $1 (dpkg --add-architecture).
ensure_foreign_arch() {
    local deb_arch=$1
    [[ $(dpkg --print-architecture) == "$deb_arch" ]] && return 0
    dpkg --print-foreign-architectures | grep -qx "$deb_arch" && return 0
    log "adding the $deb_arch architecture to dpkg"
    as_root dpkg --add-architecture "$deb_arch"
    apt_update
}

# Print the name of Debian 12's kernel package for $ARCH_DEB, e.g.
# linux-image-6.1.0-56-arm64, from the linux-image-<arch> metapackage.
kernel_package() {
    apt-cache depends "linux-image-$ARCH_DEB:$ARCH_DEB" 2>/dev/null |
        sed -n "s/^ *Depends: \(linux-image-6\.1\.[^:]*-$ARCH_DEB\)\(:.*\)\{0,1\}$/\1/p" |
        head -n 1
}

# apt-get download into the current directory. As root, apt would try to
# drop to the _apt user, who cannot write to a cache in root's home.
apt_download() {
    local sandbox=()
    [[ $(id -u) == 0 ]] && sandbox=(-o APT::Sandbox::User=root)
    apt-get -q "${sandbox[@]}" download "$@" >&2
}

# Download Debian packages "$@" (names with :arch where needed) into the
# current directory; refresh apt's lists once if they are missing or stale.
download_debs() {
    apt_download "$@" && return 0
    apt_update
    apt_download "$@" || die "apt-get download $* failed"
}

# The guest's userland, besides busybox-static: libc, libgcc_s and alsa-lib
# for dynamically linked programs; dash as /bin/sh (busybox's sh runs its own
# applets before any program of the same name in PATH).
GUEST_DEBS=(libc6 libgcc-s1 libasound2 libasound2-data dash)
# Of those, the ones of architecture "all".
GUEST_DEBS_ALL=(libasound2-data)

# Fetch and unpack what a guest of $ARCH needs, once, into
# $CACHE/$ARCH_DEB:
#   debs/      the .deb files while they are unpacked (removed after)
#   kernel/    the kernel package unpacked, with a modules.dep from depmod
#   busybox/   busybox-static unpacked
#   sysroot/   GUEST_DEBS unpacked: the guest's /lib, /usr and /bin/dash
#   fetched    what was fetched: the kernel package name, then GUEST_DEBS
# Sets KERNEL_VERSION and KERNEL_DIR.
fetch_guest_packages() {
    local dir=$CACHE/$ARCH_DEB
    local stamp=$dir/fetched
    if [[ ${REFRESH:-0} == 1 || ! -e $stamp ||
        $(tail -n +2 "$stamp") != "${GUEST_DEBS[*]}" ]]; then
        rm -rf "$dir"
        mkdir -p "$dir/debs"
        ensure_foreign_arch "$ARCH_DEB"
        local kpkg
        kpkg=$(kernel_package)
        if [[ -z $kpkg ]]; then
            apt_update
            kpkg=$(kernel_package)
        fi
        [[ -n $kpkg ]] || die "found no linux-image-6.1.*-$ARCH_DEB package in apt's lists"
        log "fetching $kpkg and the guest's userland for $ARCH_DEB"
        local names=("$kpkg:$ARCH_DEB" "busybox-static:$ARCH_DEB") deb
        for deb in "${GUEST_DEBS[@]}"; do
            if [[ " ${GUEST_DEBS_ALL[*]} " == *" $deb "* ]]; then
                names+=("$deb")
            else
                names+=("$deb:$ARCH_DEB")
            fi
        done
        (cd "$dir/debs" && download_debs "${names[@]}")
        unpack_guest_packages "$dir" "$kpkg"
        rm -rf "$dir/debs"
        printf '%s\n%s\n' "$kpkg" "${GUEST_DEBS[*]}" >"$stamp"
    fi
    local kpkg
    kpkg=$(head -n 1 "$stamp")
    # shellcheck disable=SC2034 # used by initramfs.sh and qemu.sh
    KERNEL_VERSION=${kpkg#linux-image-}
    # shellcheck disable=SC2034
    KERNEL_DIR=$dir/kernel
}

unpack_guest_packages() {
    local dir=$1 kpkg=$2 deb
    dpkg-deb -x "$dir/debs/${kpkg}_"*.deb "$dir/kernel"
    depmod -b "$dir/kernel" "${kpkg#linux-image-}" ||
        die "depmod failed on $kpkg"
    if [[ $ARCH == x86_64 ]]; then
        extract_vmlinux "$dir/kernel/boot/vmlinuz-${kpkg#linux-image-}" \
            "$dir/kernel/boot/vmlinux-${kpkg#linux-image-}"
    fi
    dpkg-deb -x "$dir/debs/busybox-static_"*.deb "$dir/busybox"
    for deb in "${GUEST_DEBS[@]}"; do
        dpkg-deb -x "$dir/debs/${deb}_"*.deb "$dir/sysroot"
    done
}

# Unpack the ELF kernel from x86's bzImage $1 (xz-compressed in Debian) into
# $2, as Linux's scripts/extract-vmlinux does. qemu boots it through its PVH
# entry point, which saves the 2.5 s the kernel takes to unpack itself under
# TCG. Without it, boot_guest falls back to the bzImage.
extract_vmlinux() {
    local offset
    # shellcheck disable=SC2013 # one number per line
    for offset in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1); do
        # xz stops at the end of the stream: tail gets SIGPIPE.
        tail -c +$((offset + 1)) "$1" 2>/dev/null |
            xz -dcq --single-stream >"$2" 2>/dev/null || true
        if [[ $(head -c 4 "$2" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]]; then
            return 0
        fi
    done
    rm -f "$2"
    log "could not unpack the ELF kernel from $1: booting the bzImage (slower)"
}

# Fetch Debian packages "$@" of $ARCH_DEB and unpack them into a folder of
# the cache, printed on stdout. Used by the smoke test for programs to run
# in the guest (e.g. alsa-utils).
fetch_extra_packages() {
    local key dir
    key=$(printf '%s+' "$@")
    dir=$CACHE/extra/$ARCH_DEB/${key%+}
    if [[ ${REFRESH:-0} == 1 || ! -e $dir/ready ]]; then
        rm -rf "$dir"
        mkdir -p "$dir/debs"
        ensure_foreign_arch "$ARCH_DEB"
        local names=() p deb
        for p in "$@"; do names+=("$p:$ARCH_DEB"); done
        (cd "$dir/debs" && download_debs "${names[@]}")
        for deb in "$dir"/debs/*.deb; do
            dpkg-deb -x "$deb" "$dir/root"
        done
        rm -rf "$dir/debs"
        touch "$dir/ready"
    fi
    echo "$dir/root"
}
