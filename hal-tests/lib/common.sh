# shellcheck shell=bash
# Shared helpers for run-vm: messages, root/sudo, and the table of guest
# architectures. Sourced, not executed.

log() { printf 'run-vm: %s\n' "$*" >&2; }
vlog() { if [[ ${VERBOSE:-0} == 1 ]]; then log "$@"; fi; }
die() {
    printf 'run-vm: error: %s\n' "$*" >&2
    exit "${EXIT_SETUP_FAILED:-125}"
}

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [[ $(id -u) == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root to run '$*' (and sudo is not installed)"
    fi
}

# Run a command under an exclusive lock on FILE, so that runs started at the
# same time do not fill the cache at once.
with_lock() {
    local file=$1
    shift
    mkdir -p "$(dirname "$file")"
    (
        flock 9
        "$@"
    ) 9>"$file"
}

# The cache folder, created if needed.
cache_dir() {
    local dir=${CAPSTAN_VM_CACHE:-$HOME/.cache/capstan-vm}
    mkdir -p "$dir"
    (cd "$dir" && pwd)
}

# Set the ARCH_* variables describing one guest architecture.
#   ARCH_DEB      Debian architecture name
#   ARCH_TRIPLET  multiarch directory name (/lib/<triplet>)
#   ARCH_QEMU     qemu binary, and ARCH_QEMU_PKG the package holding it
#   ARCH_CONSOLE  kernel console device
#   ARCH_APPEND   more kernel parameters
#   ARCH_MACHINE  qemu machine arguments (array)
#   ARCH_9P_DEV   qemu device carrying the shared folder, and
#                 ARCH_VIRTIO_MODULE the kernel module for its transport;
#                 ARCH_BLK_DEV the device carrying a --disk on that transport
#   ARCH_ELF      machine name as readelf prints it, to check --bin files
# shellcheck disable=SC2034 # the ARCH_* variables are used by the other files
set_arch() {
    case $1 in
    x86_64)
        ARCH_DEB=amd64
        ARCH_TRIPLET=x86_64-linux-gnu
        ARCH_QEMU=qemu-system-x86_64
        ARCH_QEMU_PKG=qemu-system-x86
        ARCH_CONSOLE=ttyS0
        # Without tsc=reliable the kernel's TSC sync check across the vCPUs
        # fails under TCG and the clock falls back to HPET reads (slower).
        ARCH_APPEND="tsc=reliable"
        # q35, not microvm: microvm has no HPET or ACPI PM timer, and when the
        # host is busy the kernel fails to calibrate the TSC against the PIT
        # and hangs at boot (about 4 boots in 5 with both host cores busy).
        # q35 boots as fast (qemu loads the ELF kernel through PVH).
        # -cpu max has RDRAND: the kernel's RNG is ready at once.
        ARCH_MACHINE=(-M q35 -cpu max -smp 2 -m 1024)
        ARCH_9P_DEV=virtio-9p-pci
        ARCH_BLK_DEV=virtio-blk-pci
        ARCH_VIRTIO_MODULE=virtio_pci
        ARCH_ELF='Advanced Micro Devices X86-64'
        ;;
    aarch64)
        ARCH_DEB=arm64
        ARCH_TRIPLET=aarch64-linux-gnu
        ARCH_QEMU=qemu-system-aarch64
        ARCH_QEMU_PKG=qemu-system-arm
        ARCH_CONSOLE=ttyAMA0
        ARCH_APPEND=""
        # cortex-a72 is the core of the Raspberry Pi 4 and CM4.
        ARCH_MACHINE=(-M virt -cpu cortex-a72 -smp 2 -m 1024)
        ARCH_9P_DEV=virtio-9p-device
        ARCH_BLK_DEV=virtio-blk-device
        ARCH_VIRTIO_MODULE=virtio_mmio
        ARCH_ELF='AArch64'
        ;;
    *)
        die "unknown architecture '$1' (use x86_64 or aarch64)"
        ;;
    esac
    ARCH=$1
}
