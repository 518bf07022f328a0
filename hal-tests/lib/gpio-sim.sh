# shellcheck shell=bash
# gpio-sim as an out-of-tree module for the x86_64 guest's kernel. Debian's
# kernels do not build gpio-sim (the kernel's GPIO simulator, lines created
# through configfs and driven through sysfs), so it is compiled here from
# Debian's linux-source-6.1 against linux-headers of the guest's exact kernel:
# drivers/gpio/gpio-sim.c and kernel/irq/irq_sim.c in one module, with
# irq_sim's `handle_simple_irq(irq_to_desc(irqnum))` turned into
# `generic_handle_irq(irqnum)` (irq_to_desc is not exported to modules).
#
# x86_64 only: Debian's arm64 linux-headers carry kbuild tools (fixdep,
# modpost) built for arm64, which do not run on an x86_64 host.
#
# Sourced, not executed. Needs common.sh, packages.sh, set_arch x86_64 and
# fetch_guest_packages (for KERNEL_VERSION).

# The module's name in the guest (lsmod); its platform driver is still
# "gpio-sim" and its configfs folder /config/gpio-sim.
GPIO_SIM_MODULE=gpio_sim_vm

# Build the module for $KERNEL_VERSION, or find it in the cache; print the
# .ko's path on stdout. Keyed by kernel version: a new guest kernel builds it
# again.
build_gpio_sim_module() {
    [[ $ARCH == x86_64 ]] ||
        die "gpio-sim is built for the x86_64 guest only: Debian's $ARCH_DEB linux-headers bring kbuild tools built for $ARCH_DEB, which do not run on this host"
    local dir=$CACHE/gpio-sim/$KERNEL_VERSION
    local ko=$dir/$GPIO_SIM_MODULE.ko
    if [[ -s $ko && ${REFRESH:-0} != 1 ]]; then
        echo "$ko"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir/debs" "$dir/src"
    local missing=()
    [[ -e /usr/src/linux-source-6.1.tar.xz ]] || missing+=(linux-source-6.1)
    command -v make >/dev/null || missing+=(make)
    command -v gcc >/dev/null || missing+=(gcc)
    command -v bc >/dev/null || missing+=(bc)
    ((${#missing[@]})) && apt_install "${missing[@]}"
    log "building gpio-sim for $KERNEL_VERSION (once; cached in $dir)"
    (cd "$dir/debs" && download_debs "linux-headers-$KERNEL_VERSION:amd64" \
        "linux-headers-${KERNEL_VERSION%-amd64}-common" "linux-kbuild-6.1:amd64")
    local deb
    for deb in "$dir"/debs/*.deb; do
        dpkg-deb -x "$deb" "$dir/root"
    done
    rm -rf "$dir/debs"
    # Only the two sources, and gpiolib's private headers gpio-sim includes.
    tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir/src" --strip-components=3 \
        --wildcards 'linux-source-6.1/drivers/gpio/gpio-sim.c' \
        'linux-source-6.1/drivers/gpio/gpiolib*.h' 'linux-source-6.1/kernel/irq/irq_sim.c' >&2 ||
        die "could not unpack gpio-sim.c and irq_sim.c from /usr/src/linux-source-6.1.tar.xz"
    grep -q 'handle_simple_irq(irq_to_desc(irqnum))' "$dir/src/irq_sim.c" ||
        die "irq_sim.c in linux-source-6.1 no longer calls handle_simple_irq(irq_to_desc(irqnum)): check the patch in hal-tests/lib/gpio-sim.sh"
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' "$dir/src/irq_sim.c"
    printf 'obj-m := %s.o\n%s-y := gpio-sim.o irq_sim.o\n' "$GPIO_SIM_MODULE" "$GPIO_SIM_MODULE" \
        >"$dir/src/Kbuild"
    local headers=$dir/root/usr/src/linux-headers-$KERNEL_VERSION
    [[ -d $headers ]] || die "linux-headers-$KERNEL_VERSION did not unpack to $headers"
    # The headers' Makefile includes the common headers' by their installed
    # path, /usr/src/...: point it into the unpacked tree.
    sed -i "s#^include /usr/src/#include $dir/root/usr/src/#" "$headers/Makefile"
    if ! make -C "$headers" M="$dir/src" \
        modules >"$dir/build.log" 2>&1; then
        tail -n 30 "$dir/build.log" >&2
        die "building gpio-sim failed (whole log: $dir/build.log)"
    fi
    cp "$dir/src/$GPIO_SIM_MODULE.ko" "$ko"
    rm -rf "$dir/root" "$dir/src" # the headers: 60 MB
    echo "$ko"
}
