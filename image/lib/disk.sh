# shellcheck shell=bash
# The box's initramfs, its kernel command line and the card image, all made
# from folders and files: no loop device, no mount. Sourced by image/build,
# not executed. Needs hal-tests/lib/initramfs.sh (module_list), log, die.

# Kernel command line (cmdline.txt on the card). The Pi's firmware passes it
# unchanged; cmdline.txt itself cannot hold comments, so the reasons are here.
kernel_cmdline() {
    local p=(
        # The system partition, found by its label by the initramfs, mounted
        # read-only: nothing writes to it, so a power cut cannot damage it.
        root=LABEL=capstan-root ro rootwait
        # The serial header (GPIO 14/15, the Pi 4's mini UART): kernel
        # messages for service. No login is offered on it or anywhere.
        console=ttyS1,115200
        # A quiet console boots faster (a 115200 baud line is slow).
        quiet loglevel=3
        # Every interrupt handler in a kernel thread, so that the audio thread
        # (SCHED_FIFO 70) preempts the handlers of devices it does not use,
        # while capstan-rtirq raises the audio path's own above it. PREEMPT_RT
        # does this already; on the standard kernel this line does it.
        threadirqs
        # Core 3 belongs to the box: the scheduler balances nothing onto it
        # and managed interrupts avoid it; only what is pinned there runs
        # there (capstan.service, CPUAffinity=3). Other interrupts default to
        # cores 0-2, and core 3's RCU callbacks run elsewhere.
        isolcpus=domain,managed_irq,3 irqaffinity=0-2 rcu_nocbs=3
        # USB never autosuspends: an audio interface that suspends and wakes
        # drops samples (and some never wake cleanly).
        usbcore.autosuspend=-1
        # Full clock from power-on: the ondemand governor ramps up late on the
        # audio thread's short bursts, which shows up as xruns.
        cpufreq.default_governor=performance
        # systemd-fsck repairs what a power cut left on the FAT and exFAT
        # partitions without asking anyone (there is no one to ask).
        fsck.repair=yes
    )
    echo "${p[*]}"
}

# Modules the initramfs loads to reach the root: virtio (qemu), the SD/eMMC
# controller of the Pi 4 and CM4 (sdhci-iproc, with the firmware clocks, the
# GPIO expander powering the card and the DMA engine), mmc_block, ext4.
INITRAMFS_MODULES=(
    virtio_mmio virtio_pci virtio_blk
    gpio-raspberrypi-exp clk-raspberrypi reset-raspberrypi bcm2835-dma
    sdhci-iproc mmc_block
    crc32c_generic crc32c-arm64 ext4
)

# Build the initramfs (cpio newc, gzip) for root $1 into file $2: busybox, the
# modules above with their dependencies, /init (lib/initramfs-init).
build_initramfs() {
    local root=$1 out=$2 tree m available=() file
    tree=$(mktemp -d "$WORK/initramfs.XXXXXX")
    mkdir -p "$tree/bin" "$tree/etc" "$tree/lib/modules"
    cp "$root/bin/busybox" "$tree/bin/busybox"
    install -m 755 "$IMAGE_DIR/lib/initramfs-init" "$tree/init"
    KERNEL_DIR=$root
    KERNEL_VERSION=$(kernel_release "$root")
    for m in "${INITRAMFS_MODULES[@]}"; do
        if [[ -n $(module_path "$m") ]]; then
            available+=("$m")
        fi
    done
    module_list "${available[@]}" >"$WORK/initramfs-modules"
    while read -r file _; do
        install -D -m 644 "$root/lib/modules/$KERNEL_VERSION/$file" \
            "$tree/lib/modules/$KERNEL_VERSION/$file"
        echo "$KERNEL_VERSION/$file"
    done <"$WORK/initramfs-modules" >"$tree/etc/modules-order"
    log "initramfs: busybox and $(wc -l <"$tree/etc/modules-order") modules (${available[*]})"
    pack_cpio "$tree" | gzip -6 >"$out"
    rm -rf "$tree"
}

MIB=$((1024 * 1024))

# The firmware partition (FAT32, label CAPSTAN-CFG) from folder $1 into file
# $2 of $3 MiB, filled with mcopy.
make_boot_partition() {
    local dir=$1 out=$2 size_mib=$3
    rm -f "$out"
    mkfs.vfat -C -F 32 -n CAPSTAN-CFG "$out" $((size_mib * 1024)) >/dev/null ||
        die "mkfs.vfat failed"
    mcopy -s -p -m -i "$out" "$dir"/* ::/ || die "mcopy into the firmware partition failed"
}

# The system partition (ext4, label capstan-root) from folder $1 into file $2,
# sized to its contents with room to spare; prints its size in MiB.
make_root_partition() {
    local dir=$1 out=$2 used_mib size_mib
    used_mib=$(($(du -sxm "$dir" | cut -f1)))
    # Inodes, metadata and the journal take about 10%; leave 20% more free.
    size_mib=$(((used_mib * 13 / 10 + 64 + 3) / 4 * 4))
    rm -f "$out"
    mkfs.ext4 -q -F -L capstan-root -d "$dir" -m 0 "$out" "${size_mib}M" >/dev/null ||
        die "mkfs.ext4 -d failed"
    echo "$size_mib"
}

# The takes partition (exFAT) in file $1 of $2 MiB, empty. Its label
# CAPSTANNEW marks a card never booted: at the first boot it grows to the end
# of the card and becomes CAPSTAN (capstan-grow-takes).
make_data_partition() {
    local out=$1 size_mib=$2
    rm -f "$out"
    truncate -s "${size_mib}M" "$out"
    mkfs.exfat -L CAPSTANNEW "$out" >/dev/null || die "mkfs.exfat failed"
}

# Put partition files $2 (FAT32), $3 (ext4), $4 (exFAT) into the card image $1
# (MBR: the Pi's boot ROM reads it) at 4 MiB boundaries; sparse.
assemble_image() {
    local img=$1 boot=$2 root=$3 data=$4
    local b_mib r_mib d_mib start=4 total
    b_mib=$(($(stat -c %s "$boot") / MIB))
    r_mib=$(($(stat -c %s "$root") / MIB))
    d_mib=$(($(stat -c %s "$data") / MIB))
    total=$((start + b_mib + r_mib + d_mib))
    rm -f "$img"
    truncate -s "${total}M" "$img"
    local s=$((start * 2048))
    sfdisk --quiet "$img" <<EOF || die "sfdisk failed on $img"
label: dos
label-id: 0xca957a40
unit: sectors
start=$s, size=$((b_mib * 2048)), type=c, bootable
start=$((s + b_mib * 2048)), size=$((r_mib * 2048)), type=83
start=$((s + (b_mib + r_mib) * 2048)), size=$((d_mib * 2048)), type=7
EOF
    dd if="$boot" of="$img" bs=1M seek="$start" conv=notrunc,sparse status=none
    dd if="$root" of="$img" bs=1M seek=$((start + b_mib)) conv=notrunc,sparse status=none
    dd if="$data" of="$img" bs=1M seek=$((start + b_mib + r_mib)) conv=notrunc,sparse status=none
}

# Byte offset of partition $2 (1-3) in image $1, for mtools' "IMAGE@@OFFSET".
partition_offset() {
    local start
    start=$(sfdisk --json "$1" | jq -r ".partitiontable.partitions[$(($2 - 1))].start")
    echo $((start * 512))
}
