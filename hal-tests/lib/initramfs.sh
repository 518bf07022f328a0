# shellcheck shell=bash
# The guest's initramfs, in two parts that the kernel unpacks one over the
# other:
#   base  busybox, libc and alsa-lib, the modules every run loads; built once
#         per kernel and cached (cpio newc, gzip)
#   run   /init, the command, the --bin programs with their libraries and the
#         --module modules; built for each run (cpio newc, not compressed:
#         test binaries are large and gunzip is slow under TCG)
# Sourced, not executed. Needs common.sh, set_arch and fetch_guest_packages.

# Modules every guest loads, with their parameters: virtio (over PCI or MMIO)
# and 9p for the shared folder, snd-aloop for ALSA (8 substreams per PCM
# device, the most it takes). Set by build_base_initramfs.
BASE_MODULES=()

set_base_modules() {
    BASE_MODULES=(
        "$ARCH_VIRTIO_MODULE"
        "9pnet_virtio"
        "9p"
        "snd-aloop pcm_substreams=8"
    )
}

# Print the module file (relative to /lib/modules/<version>) for a module
# name; '-' and '_' are the same in module names.
module_path() {
    local name=${1//[-_]/[-_]}
    sed -n "s#^\([^:]*/$name\.ko\):.*#\1#p" "$KERNEL_DIR/lib/modules/$KERNEL_VERSION/modules.dep" |
        head -n 1
}

# Print the module files to load for module $1, dependencies first.
# modules.dep lists each module's full dependency closure, the module a
# dependency needs coming before it: load that list backwards.
module_load_order() {
    local path line deps=() i
    path=$(module_path "$1")
    if [[ -z $path ]]; then
        if grep -qE "/${1//[-_]/[-_]}\.ko\$" "$KERNEL_DIR/lib/modules/$KERNEL_VERSION/modules.builtin"; then
            return 0 # built into the kernel
        fi
        die "module '$1' is not in $KERNEL_VERSION"
    fi
    line=$(grep -m1 "^$path:" "$KERNEL_DIR/lib/modules/$KERNEL_VERSION/modules.dep")
    read -ra deps <<<"${line#*:}"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
        echo "${deps[i]}"
    done
    echo "$path"
}

# Write to stdout the guest's module list, "file params" per line, for the
# modules "$@" (each "name [params]"), each file once, dependencies first.
# A later entry for the same module replaces an earlier one's parameters.
module_list() {
    local -A params=()
    local -a order=() files=()
    local entry name file load_order
    for entry in "$@"; do
        read -r name _ <<<"$entry"
        load_order=$(module_load_order "$name")
        mapfile -t files <<<"$load_order"
        for file in "${files[@]}"; do
            [[ -n $file ]] || continue
            [[ -v params[$file] ]] || order+=("$file")
            params[$file]=${params[$file]-}
        done
        file=$(module_path "$name")
        if [[ -n $file ]]; then
            params[$file]=${entry#"$name"}
        fi
    done
    for file in "${order[@]}"; do
        echo "$file${params[$file]}"
    done
}

# Copy the files of a module list (from module_list) into the tree $1.
copy_modules() {
    local root=$1 list=$2 file _
    while read -r file _; do
        install -D -m 644 "$KERNEL_DIR/lib/modules/$KERNEL_VERSION/$file" \
            "$root/lib/modules/$KERNEL_VERSION/$file"
    done <"$list"
}

# Pack the tree $1 into a cpio newc archive on stdout, owned by root.
pack_cpio() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# Build (or find in the cache) the base part; sets BASE_INITRAMFS.
build_base_initramfs() {
    set_base_modules
    local key
    key=$({
        echo "$KERNEL_VERSION"
        printf '%s\n' "${BASE_MODULES[@]}"
        cat "$HAL_TESTS_LIB/initramfs.sh" "$CACHE/$ARCH_DEB/fetched"
    } | sha256sum | cut -c1-16)
    BASE_INITRAMFS=$CACHE/$ARCH_DEB/initramfs-base-$key.cpio.gz
    [[ -e $BASE_INITRAMFS && ${REFRESH:-0} != 1 ]] && return 0

    vlog "building the base initramfs for $ARCH ($KERNEL_VERSION)"
    local tree sysroot=$CACHE/$ARCH_DEB/sysroot
    tree=$(mktemp -d "$CACHE/$ARCH_DEB/base.XXXXXX")
    mkdir -p "$tree"/{bin,dev,etc,proc,sys,tmp,run,root,share}
    cp "$CACHE/$ARCH_DEB/busybox/bin/busybox" "$tree/bin/busybox"
    cp "$sysroot/bin/dash" "$tree/bin/dash"

    # libc, the dynamic loader, libgcc_s, libasound and alsa-lib's config.
    # Leave out gconv (8 MB of charset converters) and the docs.
    cp -a "$sysroot/lib" "$tree/"
    [[ -d $sysroot/lib64 ]] && cp -a "$sysroot/lib64" "$tree/"
    mkdir -p "$tree/usr/share"
    cp -a "$sysroot/usr/lib" "$tree/usr/"
    rm -rf "$tree/usr/lib/$ARCH_TRIPLET/gconv"
    cp -a "$sysroot/usr/share/alsa" "$tree/usr/share/"

    module_list "${BASE_MODULES[@]}" >"$tree/base-modules"
    copy_modules "$tree" "$tree/base-modules"
    rm "$tree/base-modules"

    # Pad to 512 bytes: the kernel looks for the next archive (the run part)
    # on a 4-byte boundary and skips zeros.
    {
        pack_cpio "$tree" | gzip -6
    } >"$BASE_INITRAMFS.tmp"
    truncate -s "%512" "$BASE_INITRAMFS.tmp"
    rm -f "$CACHE/$ARCH_DEB"/initramfs-base-*.cpio.gz # older versions
    mv "$BASE_INITRAMFS.tmp" "$BASE_INITRAMFS"
    rm -rf "$tree"
}

# Is library $1 (a soname) already in the base part?
in_base() {
    [[ -e $CACHE/$ARCH_DEB/sysroot/lib/$ARCH_TRIPLET/$1 ||
        -e $CACHE/$ARCH_DEB/sysroot/usr/lib/$ARCH_TRIPLET/$1 ]]
}

# Find library $1 for the guest: in the --libdir folders, then in Debian's
# multiarch folders of the host (packages of the guest's architecture
# installed with dpkg --add-architecture). Prints its path.
find_library() {
    local dir
    for dir in "${LIB_DIRS[@]}" "/lib/$ARCH_TRIPLET" "/usr/lib/$ARCH_TRIPLET"; do
        if [[ -e $dir/$1 ]]; then
            echo "$dir/$1"
            return 0
        fi
    done
    return 1
}

# Check that file $1 is a program the guest can run; print its NEEDED
# libraries (nothing for static programs and scripts).
needed_libraries() {
    local file=$1 machine
    if [[ $(head -c 4 "$file" | od -An -tx1 | tr -d ' \n') != 7f454c46 ]]; then
        return 0 # not ELF: a script
    fi
    machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
    [[ $machine == "$ARCH_ELF" ]] ||
        die "$file is built for '$machine', not for the $ARCH guest"
    readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# Copy the libraries program $1 needs, and theirs, into the tree $2.
copy_libraries() {
    local file=$1 tree=$2 lib path needed
    needed=$(needed_libraries "$file")
    for lib in $needed; do
        in_base "$lib" && continue
        [[ -e $tree/usr/lib/$ARCH_TRIPLET/$lib ]] && continue
        path=$(find_library "$lib") ||
            die "$file needs $lib for $ARCH_DEB: found it neither in the guest's Debian packages nor in ${LIB_DIRS[*]:+${LIB_DIRS[*]} or }/lib/$ARCH_TRIPLET, /usr/lib/$ARCH_TRIPLET (give its folder with --libdir)"
        vlog "adding $path for $file"
        install -D -m 755 "$(readlink -f "$path")" "$tree/usr/lib/$ARCH_TRIPLET/$lib"
        copy_libraries "$path" "$tree"
    done
}

# Build the run part into file $1: /init, the command and its settings, the
# --module modules, the --bin programs and their libraries.
build_run_initramfs() {
    local out=$1 tree bin
    tree=$(mktemp -d "$WORK/run.XXXXXX")
    mkdir -p "$tree/capstan-bin" "$tree/etc/capstan"
    install -m 755 "$HAL_TESTS_LIB/guest-init.sh" "$tree/init"
    printf '%s\n' "$COMMAND" >"$tree/etc/capstan/command"
    {
        printf 'TOKEN=%s\n' "$TOKEN"
        printf 'KERNEL_VERSION=%s\n' "$KERNEL_VERSION"
    } >"$tree/etc/capstan/env"

    module_list "${BASE_MODULES[@]}" "${EXTRA_MODULES[@]}" >"$tree/etc/capstan/modules"
    module_list "${EXTRA_MODULES[@]}" >"$WORK/extra-modules"
    copy_modules "$tree" "$WORK/extra-modules"
    # A modules.dep for what is in the guest, so that modprobe works there.
    local file
    mkdir -p "$tree/lib/modules/$KERNEL_VERSION"
    while read -r file _; do
        grep -m1 "^$file:" "$KERNEL_DIR/lib/modules/$KERNEL_VERSION/modules.dep"
    done <"$tree/etc/capstan/modules" >"$tree/lib/modules/$KERNEL_VERSION/modules.dep"

    for bin in "${BINS[@]}"; do
        [[ -f $bin ]] || die "--bin $bin: no such file"
        install -m 755 "$bin" "$tree/capstan-bin/$(basename "$bin")"
        copy_libraries "$bin" "$tree"
    done
    pack_cpio "$tree" >"$out"
    rm -rf "$tree"
}
